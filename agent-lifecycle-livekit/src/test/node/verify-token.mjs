// Verifies a LiveKit access token with livekit-server-sdk's own TokenVerifier.
//
//   echo '{"token":"...","apiKey":"...","apiSecret":"..."}' | node verify-token.mjs
//
// On success prints the verified claims as JSON on stdout and exits 0.
// On failure prints an error message on stderr and exits 1.

import { TokenVerifier } from 'livekit-server-sdk';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

try {
  const input = JSON.parse(await readStdin());
  for (const field of ['token', 'apiKey', 'apiSecret']) {
    if (typeof input[field] !== 'string' || input[field] === '') {
      throw new Error(`input field "${field}" must be a non-empty string`);
    }
  }
  const claims = await new TokenVerifier(input.apiKey, input.apiSecret).verify(input.token);
  process.stdout.write(JSON.stringify(claims) + '\n');
  process.exitCode = 0;
} catch (e) {
  process.stderr.write(`token rejected: ${e && e.code ? e.code + ': ' : ''}${e && e.message ? e.message : e}\n`);
  process.exitCode = 1;
}
