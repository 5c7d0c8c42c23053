// Small line icons drawn inline (no icon font, no image requests). Decorative: the text beside them
// always says the same thing.
import type { ReactNode } from 'react';

function Icon({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <svg className={['icon', className ?? ''].filter(Boolean).join(' ')} viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export const FolderIcon = () => (
  <Icon className="icon-folder">
    <path d="M1.5 4.5a1 1 0 0 1 1-1h3.6l1.4 1.5h6a1 1 0 0 1 1 1v6.5a1 1 0 0 1-1 1h-11a1 1 0 0 1-1-1z" />
  </Icon>
);

export const FileIcon = () => (
  <Icon className="icon-file">
    <path d="M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3" />
  </Icon>
);

export const UpIcon = () => (
  <Icon>
    <path d="M8 13V3.5 M3.5 8 8 3.5 12.5 8" />
  </Icon>
);

export const RefreshIcon = () => (
  <Icon>
    <path d="M13 8a5 5 0 1 1-1.6-3.7 M13 2.5v3h-3" />
  </Icon>
);

export const ShieldIcon = () => (
  <Icon>
    <path d="M8 1.5 13.5 3.5v4c0 3.3-2.3 5.8-5.5 7-3.2-1.2-5.5-3.7-5.5-7v-4z" />
  </Icon>
);

export const ExternalIcon = () => (
  <Icon>
    <path d="M9 2.5h4.5V7 M13.5 2.5 7.5 8.5 M11.5 9.5v4h-9v-9h4" />
  </Icon>
);

export const WarningIcon = () => (
  <Icon className="icon-warning">
    <path d="M8 1.8 15 14H1z M8 6v4 M8 11.6v.8" />
  </Icon>
);

export const CheckIcon = () => (
  <Icon>
    <path d="M3 8.5 6.5 12 13 4.5" />
  </Icon>
);

export const InfoIcon = () => (
  <Icon>
    <circle cx="8" cy="8" r="6.5" />
    <path d="M8 7v4.5 M8 4.6v.8" />
  </Icon>
);

export const KeyIcon = () => (
  <Icon>
    <circle cx="5" cy="10.5" r="3" />
    <path d="M7.2 8.3 13.5 2 M11 4.5l2 2 M9.5 6l1.5 1.5" />
  </Icon>
);
