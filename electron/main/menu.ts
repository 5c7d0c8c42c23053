// The application menu. The installed app gets one without Reload or Toggle Developer Tools (a
// reload drops an upload in progress; dev tools are for developers); a development run keeps
// Electron's default menu with both.
import { Menu, type MenuItemConstructorOptions } from 'electron';

export function productionMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = [];
  // On macOS the app menu holds Quit, and Cut/Copy/Paste only work in text fields through a menu.
  if (platform === 'darwin') template.push({ role: 'appMenu' });
  template.push({ role: 'fileMenu' }, { role: 'editMenu' }, { role: 'windowMenu' });
  return template;
}

export function applyAppMenu(isPackaged: boolean, platform: NodeJS.Platform = process.platform): void {
  if (!isPackaged) return;
  Menu.setApplicationMenu(Menu.buildFromTemplate(productionMenuTemplate(platform)));
}
