/**
 * The key and record code of IPNS (ed25519 keys of `@libp2p/crypto`, records of `ipns`), in one module that
 * lib/apillon/ipns.ts loads with `import()` when it first makes a key or signs: esbuild defers a dynamically
 * imported module's evaluation, so the two functions that sign (ipns-create, ipns-publish) do not evaluate
 * ~130 KB of libraries (the curve's tables included) at init, before the first request (authentication) needs
 * none of it. Named here rather than `import('ipns')` so that esbuild still drops what is not used
 * (lib/store/s3-commands.ts says the same of the S3 SDK).
 */
export { generateKeyPair, privateKeyFromRaw } from '@libp2p/crypto/keys';
export { createIPNSRecord, marshalIPNSRecord } from 'ipns';
