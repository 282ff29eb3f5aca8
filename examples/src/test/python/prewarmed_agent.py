import json
import os
import sys
import threading
import time
import urllib.request


def load():
    """Load what takes long here (VAD, turn detection, ...): it runs before the agent says it is idle."""


def connect(room, identity):
    """Connect to the room with the LiveKit SDK here, as `identity`, to LIVEKIT_URL, with a token minted
    from LIVEKIT_API_KEY and LIVEKIT_API_SECRET (the host passes all three)."""


def say(message):
    print(json.dumps(message), flush=True)


def heartbeats(url, credential, room, identity):
    body = json.dumps({"roomName": room, "agentIdentity": identity}).encode()
    headers = {"Authorization": "Bearer " + credential, "Content-Type": "application/json"}
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=5).close()
        except OSError as error:
            print("heartbeat failed:", error, file=sys.stderr, flush=True)
        time.sleep(5)


load()
if os.environ.get("AGENT_ASSIGNMENT") == "stdin":
    say({"type": "idle"})
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)  # stopped before a room came
    assignment = json.loads(line)
    room, identity = assignment["roomName"], assignment["agentIdentity"]
    credential, url = assignment["credential"], assignment.get("heartbeatUrl")
    say({"type": "assigned"})
else:
    room, identity = sys.argv[-1], os.environ["AGENT_IDENTITY"]
    credential, url = os.environ.get("AGENT_CREDENTIAL"), os.environ.get("AGENT_HEARTBEAT_URL")
connect(room, identity)
if url:
    threading.Thread(target=heartbeats, args=(url, credential, room, identity), daemon=True).start()
sys.stdin.read()  # returns at end-of-file: the host stopped this agent or went away; SIGTERM ends it too
