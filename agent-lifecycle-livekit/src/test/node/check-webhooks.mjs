// Feeds every fixture in ../resources/livekit-webhooks/ to livekit-server-sdk's own
// WebhookReceiver.receive(body, authorization) and compares the outcome with `expect`.
//
//   node check-webhooks.mjs
//
// Hard assertions (exit 1 on failure):
//   - every valid fixture that is not a wire-format variant is accepted and reads as `expect`;
//   - reject_forged_signature, reject_tampered_body and reject_expired are rejected.
// Every other fixture where LiveKit's receiver disagrees with `expect` is reported as
// INFO: those are cases where our receiver is intentionally stricter or more lenient.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ParticipantInfo_Kind } from '@livekit/protocol';
import { WebhookReceiver } from 'livekit-server-sdk';

const API_KEY = 'APIinteropKey';
const API_SECRET = 'interop-secret-0123456789abcdef0123456789';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE_DIR = join(here, '..', 'resources', 'livekit-webhooks');

const VARIANTS = new Set([
  'participant_joined_snake_case',
  'participant_joined_numeric_int64',
  'participant_joined_unknown_fields',
  'participant_joined_bearer',
]);
const MUST_REJECT = new Set(['reject_forged_signature', 'reject_tampered_body', 'reject_expired']);

function readAs(ev) {
  const r = {
    event: ev.event,
    id: ev.id,
    createdAt: Number(ev.createdAt),
    room: ev.room ? ev.room.name : null,
    roomSid: ev.room ? ev.room.sid : null,
  };
  if (ev.participant) {
    r.participantSid = ev.participant.sid;
    r.identity = ev.participant.identity;
    r.kind = ParticipantInfo_Kind[ev.participant.kind];
    r.attributes = { ...ev.participant.attributes };
  }
  return r;
}

function diff(expected, actual) {
  const problems = [];
  for (const [k, v] of Object.entries(expected)) {
    if (JSON.stringify(actual[k]) !== JSON.stringify(v)) {
      problems.push(`${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(actual[k])}`);
    }
  }
  return problems;
}

const receiver = new WebhookReceiver(API_KEY, API_SECRET);
const files = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort();
let failures = 0;
let infos = 0;

for (const file of files) {
  const fx = JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8'));
  const expectReject = 'reject' in fx.expect;
  const hard = expectReject ? MUST_REJECT.has(fx.case) : !VARIANTS.has(fx.case);

  let outcome;
  let detail;
  try {
    const ev = await receiver.receive(fx.body, fx.authorization);
    const problems = expectReject ? [`accepted as event ${JSON.stringify(ev.event)}`] : diff(fx.expect, readAs(ev));
    outcome = problems.length === 0;
    detail = problems.length === 0 ? 'accepted, fields match' : problems.join('; ');
  } catch (e) {
    outcome = expectReject;
    detail = `rejected: ${e.message}`;
  }

  const label = outcome ? 'OK  ' : hard ? 'FAIL' : 'INFO';
  if (!outcome && hard) failures++;
  if (!outcome && !hard) infos++;
  const want = expectReject ? `reject ${fx.expect.reject}` : 'accept';
  console.log(`${label} ${fx.case.padEnd(40)} expect ${want.padEnd(28)} LiveKit: ${detail}`);

  if (fx.case === 'participant_joined_bearer' && !outcome) {
    const bare = fx.authorization.replace(/^Bearer /, '');
    try {
      const ev = await receiver.receive(fx.body, bare);
      const problems = diff(fx.expect, readAs(ev));
      console.log(
        `     ${''.padEnd(40)} same token without "Bearer ": ${problems.length === 0 ? 'accepted, fields match' : problems.join('; ')}`,
      );
    } catch (e) {
      console.log(`     ${''.padEnd(40)} same token without "Bearer ": rejected: ${e.message}`);
      failures++;
    }
  }
}

console.log(
  `\n${files.length} fixtures, ${failures} hard failure(s), ${infos} informational disagreement(s) with LiveKit's WebhookReceiver`,
);
process.exit(failures === 0 ? 0 : 1);
