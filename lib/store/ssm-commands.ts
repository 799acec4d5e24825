/**
 * The parts of the SSM SDK the functions use (GetParameter of the IPNS key encryption key), loaded with
 * `import()` on first use by lib/store/clients.ts and key-sealer.ts (only the two functions that sign IPNS
 * records); see s3-commands.ts for why a dynamic import names what it takes rather than the whole package.
 */
export { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
