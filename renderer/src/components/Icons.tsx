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

export const ErrorIcon = () => (
  <Icon className="icon-error">
    <circle cx="8" cy="8" r="6.5" />
    <path d="M5.7 5.7l4.6 4.6 M10.3 5.7l-4.6 4.6" />
  </Icon>
);

export const OkIcon = () => (
  <Icon className="icon-ok">
    <circle cx="8" cy="8" r="6.5" />
    <path d="M5 8.2 7.1 10.3 11 6" />
  </Icon>
);

export const UploadIcon = () => (
  <Icon>
    <path d="M8 10.5V2.5 M4.5 6 8 2.5 11.5 6 M2.5 10.5v3h11v-3" />
  </Icon>
);

export const DownloadIcon = () => (
  <Icon>
    <path d="M8 2.5v8 M4.5 7 8 10.5 11.5 7 M2.5 10.5v3h11v-3" />
  </Icon>
);

export const TrashIcon = () => (
  <Icon>
    <path d="M2.5 4h11 M6 4V2.5h4V4 M4 4l.7 9.5h6.6L12 4 M6.7 6.5v4.5 M9.3 6.5v4.5" />
  </Icon>
);

export const ClockIcon = () => (
  <Icon>
    <circle cx="8" cy="8" r="6.5" />
    <path d="M8 4.5V8l2.5 1.5" />
  </Icon>
);

export const NoEntryIcon = () => (
  <Icon className="icon-no-entry">
    <circle cx="8" cy="8" r="6.5" />
    <path d="M3.4 12.6 12.6 3.4" />
  </Icon>
);

export const CertificateIcon = () => (
  <Icon>
    <path d="M2.5 2.5h11v8h-4 M2.5 2.5v8h2.5" />
    <circle cx="7.3" cy="10" r="2" />
    <path d="M6.2 11.7 5.6 14.5l1.7-.9 1.7.9-.6-2.8 M5 5h6 M5 7h2" />
  </Icon>
);

export const ChevronIcon = ({ open }: { open: boolean }) => (
  <Icon className={open ? 'icon-chevron is-open' : 'icon-chevron'}>
    <path d="M6 3.5 10.5 8 6 12.5" />
  </Icon>
);
