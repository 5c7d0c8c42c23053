// What the certificate prompt says about a certificate, rendered to static markup (no browser): the
// dates judged against "now", the authorities, the server name.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { CertificateDetails } from '../../../shared/contract';
import { CertificateFacts, distinguishedNameWords } from '../../../renderer/src/components/IdentityDialog';

const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);
const longDate = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(new Date(day(iso)));

const selfSigned: CertificateDetails = {
  subject: 'CN=127.0.0.1, O=Registry Test Server',
  names: ['127.0.0.1', 'localhost'],
  issuer: 'CN=127.0.0.1, O=Registry Test Server',
  validFrom: new Date(day('2026-11-01')).toISOString(),
  validTo: new Date(day('2026-12-01')).toISOString(),
  authorityTrusted: false,
  authorityProblem: 'DEPTH_ZERO_SELF_SIGNED_CERT',
  hostnameMatches: true,
  protocol: 'TLSv1.3',
};

const text = (certificate: CertificateDetails, now: number, host = '127.0.0.1') =>
  renderToStaticMarkup(<CertificateFacts certificate={certificate} host={host} now={now} />)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&rsquo;/g, '’')
    .replace(/\s+/g, ' ');

describe('the facts of a certificate, as the prompt shows them', () => {
  it('names a self-signed certificate for what it is, and a valid one as valid today', () => {
    const words = text(selfSigned, day('2026-11-21'));
    expect(words).toContain('Issued to 127.0.0.1 (Registry Test Server)');
    expect(words).toContain('Itself (self-signed)');
    expect(words).toContain('Not vouched for by this computer’s certificate authorities (self-signed).');
    expect(words).toContain('The certificate is for 127.0.0.1 — matches the server name.');
    expect(words).toContain(`From ${longDate('2026-11-01')} until ${longDate('2026-12-01')}`);
    expect(words).toContain('Valid today.');
  });

  it('says in red words when the certificate has expired or is not valid yet', () => {
    const expired = renderToStaticMarkup(<CertificateFacts certificate={selfSigned} host="127.0.0.1" now={day('2026-12-02')} />);
    expect(expired).toContain(`Expired on ${longDate('2026-12-01')}.`);
    expect(expired).toMatch(/class="cert-check is-bad"/);
    expect(expired).not.toContain('Valid today');
    expect(text(selfSigned, day('2026-10-30'))).toContain(`Not valid until ${longDate('2026-11-01')}.`);
  });

  it('says who vouches for a certificate from a known authority, and when the name does not match', () => {
    const vouched: CertificateDetails = {
      ...selfSigned,
      subject: 'CN=immtrac-ftp1.dshs.state.tx.us',
      names: ['immtrac-ftp1.dshs.state.tx.us'],
      issuer: 'CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc',
      authorityTrusted: true,
      authorityProblem: null,
      hostnameMatches: false,
    };
    const words = text(vouched, day('2026-11-21'), '10.0.0.5');
    expect(words).toContain('Vouched for by DigiCert Global G2 TLS RSA SHA256 2020 CA1 (DigiCert Inc), an authority this computer trusts.');
    expect(words).toContain('The certificate is for immtrac-ftp1.dshs.state.tx.us — does NOT match the server name 10.0.0.5.');
    expect(words).not.toContain('self-signed');
  });

  it('reads distinguished names as people would', () => {
    expect(distinguishedNameWords('CN=127.0.0.1, O=Registry Test Server')).toBe('127.0.0.1 (Registry Test Server)');
    expect(distinguishedNameWords('O=Texas DSHS')).toBe('Texas DSHS');
    expect(distinguishedNameWords('something odd')).toBe('something odd');
  });
});
