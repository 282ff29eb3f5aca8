// Regenerates every fixture in ../resources/livekit-webhooks/.
//
//   npm ci && node generate-webhooks.mjs
//
// Bodies are protojson of livekit.WebhookEvent as produced by @livekit/protocol
// (WebhookEvent#toJsonString()); the Authorization header is a JWT minted with
// livekit-server-sdk's AccessToken carrying the `sha256` claim over the exact body
// bytes, exactly like LiveKit server signs its webhook requests.
//
// Everything except the JWT time claims is fixed, so regenerating only changes the
// `authorization` values. Valid tokens get a 100 year ttl so the fixtures stay valid.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  EgressInfo,
  EgressStatus,
  Job,
  JobType,
  ParticipantInfo,
  ParticipantInfo_Kind,
  ParticipantInfo_State,
  ParticipantPermission,
  Room,
  TrackInfo,
  TrackSource,
  TrackType,
  WebhookEvent,
} from '@livekit/protocol';
import * as jose from 'jose'; // livekit-server-sdk's own JWT library (its dependency)
import { AccessToken } from 'livekit-server-sdk';

export const API_KEY = 'APIinteropKey';
export const API_SECRET = 'interop-secret-0123456789abcdef0123456789';
const OTHER_KEY = 'APIotherKey';
const OTHER_SECRET = 'some-other-secret-0123456789abcdef012345';
const VALID_TTL = '100y';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_DIR = join(here, '..', 'resources', 'livekit-webhooks');

// ---------------------------------------------------------------------------
// Fixed identifiers and times
// ---------------------------------------------------------------------------

const ROOM_NAME = 'room-interop';
const ROOM_SID = 'RM_interop0001';
const ROOM_CREATED = 1771351900n; // seconds
const T0 = 1771351907n; // createdAt of the first event, seconds

function room(extra = {}) {
  return new Room({
    sid: ROOM_SID,
    name: ROOM_NAME,
    emptyTimeout: 300,
    departureTimeout: 20,
    creationTime: ROOM_CREATED,
    creationTimeMs: ROOM_CREATED * 1000n + 123n,
    enabledCodecs: [
      { mime: 'audio/opus' },
      { mime: 'audio/red' },
      { mime: 'video/VP8' },
      { mime: 'video/H264' },
      { mime: 'video/VP9' },
      { mime: 'video/AV1' },
    ],
    ...extra,
  });
}

function participant({ sid, identity, kind, attributes, state, joinedAt, name }) {
  const p = new ParticipantInfo({
    sid,
    identity,
    name: name ?? '',
    state: state ?? ParticipantInfo_State.ACTIVE,
    joinedAt: joinedAt ?? T0,
    joinedAtMs: (joinedAt ?? T0) * 1000n + 456n,
    version: 2,
    permission: new ParticipantPermission({
      canSubscribe: true,
      canPublish: true,
      canPublishData: true,
    }),
    kind: kind ?? ParticipantInfo_Kind.STANDARD,
  });
  if (attributes) {
    p.attributes = { ...attributes };
  }
  return p;
}

function event(name, id, createdAt, fields = {}) {
  const ev = new WebhookEvent({ id, createdAt, ...fields });
  ev.event = name; // set explicitly: works for event names not known to this protocol version too
  return ev;
}

// ---------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------

export function sha256Base64(body) {
  return createHash('sha256').update(Buffer.from(body, 'utf8')).digest('base64');
}

/** Signs like LiveKit server: HS256, iss = key, nbf = now, sha256 claim, no video grant. */
async function sign(body, { key = API_KEY, secret = API_SECRET, ttl = VALID_TTL } = {}) {
  const at = new AccessToken(key, secret, { ttl });
  at.sha256 = sha256Base64(body);
  return at.toJwt();
}

/** Hand-rolled token with the same header/claims layout as AccessToken, for claims it cannot set. */
async function signRaw(claims, secret = API_SECRET) {
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
}

// ---------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------

function expectFor(ev) {
  const e = {
    event: ev.event,
    id: ev.id,
    createdAt: Number(ev.createdAt),
    room: ev.room ? ev.room.name : null,
    roomSid: ev.room ? ev.room.sid : null,
  };
  if (ev.participant) {
    e.participantSid = ev.participant.sid;
    e.identity = ev.participant.identity;
    e.kind = ParticipantInfo_Kind[ev.participant.kind];
    e.attributes = { ...ev.participant.attributes };
  }
  return e;
}

// ---------------------------------------------------------------------------
// Body transformations for the variant cases
// ---------------------------------------------------------------------------

const MAP_FIELDS = new Set(['attributes']); // map keys are data, not field names

function toSnake(key) {
  return key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

function snakeKeys(value) {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      out[toSnake(k)] = MAP_FIELDS.has(k) ? v : snakeKeys(v);
    }
    return out;
  }
  return value;
}

// int64 fields that protojson writes as strings
const INT64_FIELDS = new Set(['createdAt', 'joinedAt', 'joinedAtMs', 'creationTime', 'creationTimeMs']);

function numericInt64(value) {
  if (Array.isArray(value)) return value.map(numericInt64);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = INT64_FIELDS.has(k) && typeof v === 'string' ? Number(v) : numericInt64(v);
    }
    return out;
  }
  return value;
}

/** Serialises a JS object whose values may contain already-numeric int64s; no re-ordering. */
function compact(obj) {
  return JSON.stringify(obj);
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

async function buildCases() {
  const cases = [];
  const add = (name, description, authorization, body, expect) =>
    cases.push({ case: name, description, authorization, body, expect });

  const valid = async (name, description, ev) => {
    const body = ev.toJsonString();
    add(name, description, await sign(body), body, expectFor(ev));
    return { ev, body };
  };

  // --- room events --------------------------------------------------------
  await valid(
    'room_started',
    'room_started for a new room instance',
    event('room_started', 'EV_roomStarted001', T0 - 5n, { room: room() }),
  );
  await valid(
    'room_finished',
    'room_finished for the same room instance',
    event('room_finished', 'EV_roomFinished01', T0 + 600n, { room: room() }),
  );

  // --- participant_joined per kind ----------------------------------------
  const joined = (id, t, p) => event('participant_joined', id, t, { room: room(), participant: p });

  const standardJoin = await valid(
    'participant_joined_standard',
    'participant_joined for a STANDARD participant (a human client); kind is omitted on the wire because STANDARD is the enum default',
    joined(
      'EV_joinStandard01',
      T0,
      participant({ sid: 'PA_alice0001', identity: 'client-alice', name: 'Alice' }),
    ),
  );
  await valid(
    'participant_joined_sip',
    'participant_joined for a SIP participant (a human on the phone)',
    joined(
      'EV_joinSip0000001',
      T0 + 1n,
      participant({
        sid: 'PA_sip00000001',
        identity: 'sip-caller',
        name: 'Phone Caller',
        kind: ParticipantInfo_Kind.SIP,
        attributes: { 'sip.phoneNumber': '+15550100', 'sip.callStatus': 'active' },
      }),
    ),
  );
  await valid(
    'participant_joined_agent',
    'participant_joined for a dispatched AGENT participant with the lk.agent_name attribute',
    joined(
      'EV_joinAgent00001',
      T0 + 2n,
      participant({
        sid: 'PA_agent000001',
        identity: 'agent-AJ_123',
        name: 'coach-agent',
        kind: ParticipantInfo_Kind.AGENT,
        attributes: { 'lk.agent_name': 'coach-agent' },
      }),
    ),
  );
  await valid(
    'participant_joined_agent_no_attributes',
    'participant_joined for an AGENT participant without any attributes',
    joined(
      'EV_joinAgentNoAt1',
      T0 + 3n,
      participant({
        sid: 'PA_agent000002',
        identity: 'agent-AJ_456',
        kind: ParticipantInfo_Kind.AGENT,
      }),
    ),
  );
  await valid(
    'participant_joined_egress',
    'participant_joined for an EGRESS participant (a recorder, not a human)',
    joined(
      'EV_joinEgress0001',
      T0 + 4n,
      participant({
        sid: 'PA_egress00001',
        identity: 'EG_interop0001',
        kind: ParticipantInfo_Kind.EGRESS,
      }),
    ),
  );
  await valid(
    'participant_joined_ingress',
    'participant_joined for an INGRESS participant (a stream, not a human)',
    joined(
      'EV_joinIngress001',
      T0 + 5n,
      participant({
        sid: 'PA_ingress0001',
        identity: 'ingress-stream',
        name: 'RTMP stream',
        kind: ParticipantInfo_Kind.INGRESS,
      }),
    ),
  );
  await valid(
    'participant_joined_ai_prefix',
    'participant_joined for a STANDARD participant whose identity has the ai- prefix (old-style agent marking)',
    joined(
      'EV_joinAiPrefix01',
      T0 + 6n,
      participant({ sid: 'PA_aiprefix001', identity: 'ai-coach-1' }),
    ),
  );
  await valid(
    'participant_joined_coach_prefix',
    'participant_joined for a STANDARD participant whose identity has the coach- prefix',
    joined(
      'EV_joinCoachPref1',
      T0 + 7n,
      participant({ sid: 'PA_coachpref01', identity: 'coach-bob' }),
    ),
  );

  // --- participant leaving --------------------------------------------------
  await valid(
    'participant_left',
    'participant_left for the STANDARD participant client-alice',
    event('participant_left', 'EV_leftStandard01', T0 + 300n, {
      room: room(),
      participant: participant({
        sid: 'PA_alice0001',
        identity: 'client-alice',
        name: 'Alice',
        state: ParticipantInfo_State.DISCONNECTED,
      }),
    }),
  );
  await valid(
    'participant_connection_aborted',
    'participant_connection_aborted for a STANDARD participant that never became active',
    event('participant_connection_aborted', 'EV_connAborted001', T0 + 30n, {
      room: room(),
      participant: participant({
        sid: 'PA_aborted0001',
        identity: 'client-carol',
        name: 'Carol',
        state: ParticipantInfo_State.JOINED,
        joinedAt: T0 + 20n,
      }),
    }),
  );

  // --- valid events a receiver should ignore ---------------------------------
  await valid(
    'track_published',
    'track_published (valid, to be ignored by the lifecycle receiver)',
    event('track_published', 'EV_trackPub00001', T0 + 10n, {
      room: room(),
      participant: participant({ sid: 'PA_alice0001', identity: 'client-alice', name: 'Alice' }),
      track: new TrackInfo({
        sid: 'TR_audio000001',
        type: TrackType.AUDIO,
        name: 'microphone',
        source: TrackSource.MICROPHONE,
        mimeType: 'audio/red',
        stereo: false,
      }),
    }),
  );
  await valid(
    'egress_started',
    'egress_started (valid, to be ignored); like LiveKit, egress events carry egressInfo but no room object',
    event('egress_started', 'EV_egressStart001', T0 + 12n, {
      egressInfo: new EgressInfo({
        egressId: 'EG_interop0001',
        roomId: ROOM_SID,
        roomName: ROOM_NAME,
        status: EgressStatus.EGRESS_STARTING,
        startedAt: (T0 + 12n) * 1_000_000_000n,
        updatedAt: (T0 + 12n) * 1_000_000_000n,
      }),
    }),
  );
  await valid(
    'unknown_event_agent_job_started',
    'an event name this protocol version does not define (agent_job_started): valid, must be ignored, not rejected',
    event('agent_job_started', 'EV_agentJobStart1', T0 + 2n, {
      room: room(),
      job: new Job({
        id: 'AJ_123',
        dispatchId: 'AD_interop0001',
        type: JobType.JT_ROOM,
        room: new Room({ sid: ROOM_SID, name: ROOM_NAME }),
        agentName: 'coach-agent',
      }),
    }),
  );

  // --- wire-format variants of the STANDARD join --------------------------------
  const stdObj = JSON.parse(standardJoin.body);
  const stdExpect = expectFor(standardJoin.ev);

  {
    const body = compact(snakeKeys(stdObj));
    add(
      'participant_joined_snake_case',
      'participant_joined_standard with every field name in snake_case (proto names), re-signed over the new bytes',
      await sign(body),
      body,
      stdExpect,
    );
  }
  {
    const body = compact(numericInt64(stdObj));
    add(
      'participant_joined_numeric_int64',
      'participant_joined_standard with int64 fields (createdAt, joinedAt, joinedAtMs, creationTime, creationTimeMs) as JSON numbers instead of strings, re-signed',
      await sign(body),
      body,
      stdExpect,
    );
  }
  {
    const obj = {
      ...stdObj,
      futureTopLevel: 'ignored',
      futureObject: { nested: [1, 2, 3], flag: true },
      room: { ...stdObj.room, futureRoomField: 42, futureRoomObject: { a: 'b' } },
      participant: {
        ...stdObj.participant,
        futureParticipantField: 'x',
        futureList: [{ k: 'v' }],
        permission: { ...stdObj.participant.permission, futurePermission: true },
      },
    };
    const body = compact(obj);
    add(
      'participant_joined_unknown_fields',
      'participant_joined_standard with extra unknown top-level and nested fields, re-signed; unknown fields must be ignored',
      await sign(body),
      body,
      stdExpect,
    );
  }
  {
    const body = standardJoin.body;
    add(
      'participant_joined_bearer',
      'participant_joined_standard with the Authorization header sent as "Bearer <jwt>"',
      'Bearer ' + (await sign(body)),
      body,
      stdExpect,
    );
  }

  // --- rejections ------------------------------------------------------------------
  const stdBody = standardJoin.body;
  const now = Math.floor(Date.now() / 1000);
  const farFuture = now + 100 * 365 * 24 * 3600;

  add(
    'reject_forged_signature',
    'participant_joined signed with a different secret (same key, correct sha256)',
    await sign(stdBody, { secret: OTHER_SECRET }),
    stdBody,
    { reject: 'BAD_SIGNATURE' },
  );
  {
    const auth = await sign(stdBody);
    const tampered = stdBody.replace('"identity":"client-alice"', '"identity":"client-mallory"');
    if (tampered === stdBody) throw new Error('tamper did not change the body');
    add(
      'reject_tampered_body',
      'participant_joined whose identity was changed after signing; the token is valid but its sha256 claim no longer matches the body',
      auth,
      tampered,
      { reject: 'HASH_MISMATCH' },
    );
  }
  add(
    'reject_expired',
    'participant_joined with a correctly signed token whose exp is 1 hour in the past',
    await sign(stdBody, { ttl: '-1h' }),
    stdBody,
    { reject: 'EXPIRED' },
  );
  add(
    'reject_not_yet_valid',
    'participant_joined with a correctly signed token whose nbf is far in the future (about 100 years after generation)',
    // nbf must stay in the future for as long as the fixture is used, so not just "now + 1 hour"
    await signRaw({ sha256: sha256Base64(stdBody), iss: API_KEY, nbf: farFuture, exp: farFuture + 3600 }),
    stdBody,
    { reject: 'NOT_YET_VALID' },
  );
  add(
    'reject_wrong_issuer',
    'participant_joined signed with the right secret but iss is a different API key',
    await sign(stdBody, { key: OTHER_KEY }),
    stdBody,
    { reject: 'INVALID_TOKEN' },
  );
  add(
    'reject_missing_authorization',
    'participant_joined without an Authorization header (empty string)',
    '',
    stdBody,
    { reject: 'MISSING_AUTHORIZATION' },
  );
  add(
    'reject_garbage_header',
    'participant_joined with an Authorization header that is not a JWT',
    'not-a-jwt',
    stdBody,
    { reject: 'INVALID_TOKEN' },
  );
  {
    const body = 'hello';
    add(
      'reject_body_not_json',
      'body is not JSON, correctly signed over its bytes',
      await sign(body),
      body,
      { reject: 'MALFORMED_BODY' },
    );
  }
  {
    const body = '{"foo": 1}';
    add(
      'reject_body_not_a_webhook',
      'body is valid JSON but not a webhook event (no event name), correctly signed over its bytes',
      await sign(body),
      body,
      { reject: 'MALFORMED_BODY' },
    );
  }
  add(
    'reject_missing_exp',
    'participant_joined with a correctly signed token (right key, secret and sha256) that has no exp claim',
    await signRaw({ sha256: sha256Base64(stdBody), iss: API_KEY, nbf: now }),
    stdBody,
    { reject: 'INVALID_TOKEN' },
  );

  return cases;
}

async function main() {
  const cases = await buildCases();
  mkdirSync(FIXTURE_DIR, { recursive: true });
  for (const f of readdirSync(FIXTURE_DIR)) {
    if (f.endsWith('.json')) unlinkSync(join(FIXTURE_DIR, f));
  }
  const names = new Set();
  for (const c of cases) {
    if (names.has(c.case)) throw new Error('duplicate case ' + c.case);
    names.add(c.case);
    const ordered = {
      case: c.case,
      description: c.description,
      authorization: c.authorization,
      body: c.body,
      expect: c.expect,
    };
    writeFileSync(join(FIXTURE_DIR, `${c.case}.json`), JSON.stringify(ordered, null, 2) + '\n');
  }
  console.log(`wrote ${cases.length} fixtures to ${FIXTURE_DIR}`);
}

await main();
