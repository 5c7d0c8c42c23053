/**
 * The app's identity on Windows (taskbar grouping, notifications, the installer's shortcut). It must
 * equal `appId` in build/electron-builder.yml, or the installed shortcut and the running app would be
 * two different apps to Windows; a test checks that they agree.
 */
export const APP_USER_MODEL_ID = 'org.registrytransfer.app';
