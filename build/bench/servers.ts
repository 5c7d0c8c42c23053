// What build/bench.mjs needs from the test support code, bundled into one module: the same local
// OpenSSH sshd and vsftpd the integration tests start, their Texas-shaped profiles, the HL7 batch
// writers, the proxy that makes a long link, and the machine's CPU counter. Reused as is, so the
// benchmark measures against exactly the servers the tests use.
export { localTexasProfile, startSshd, type SshServer } from '../../test/support/sshd';
export { startVsftpd, type FtpsServer } from '../../test/support/vsftpd';
export { hl7Batch, writeLargeHl7Batch } from '../../test/support/hl7-samples';
export { startDelayProxy } from '../../test/support/delay-proxy';
export { machineCpuMs } from './machine-cpu';
