// A fingerprint as people compare it: monospace, and for colon-separated hex (certificates) broken
// only between bytes, eight bytes at a time, so two fingerprints line up when read side by side.
// The text content stays exactly the fingerprint (copy, select and screen readers get it whole).
import { Fragment } from 'react';

const isColonHex = (value: string) => /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/.test(value);

export function FingerprintText({ value, className, testId }: { value: string; className?: string; testId?: string }) {
  const classes = ['fingerprint', className ?? ''].filter(Boolean).join(' ');
  if (!isColonHex(value)) {
    return (
      <code className={classes} data-testid={testId}>
        {value}
      </code>
    );
  }
  const pairs = value.split(':');
  const groups: string[] = [];
  for (let i = 0; i < pairs.length; i += 8) groups.push(pairs.slice(i, i + 8).join(':') + (i + 8 < pairs.length ? ':' : ''));
  return (
    <code className={`${classes} fingerprint-hex`} data-testid={testId}>
      {groups.map((group, i) => (
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          <span className="fingerprint-group">{group}</span>
        </Fragment>
      ))}
    </code>
  );
}
