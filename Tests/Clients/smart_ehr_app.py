"""A clinician's app (SMART App Launch, EHR launch, public client with PKCE S256) as a third party writes it: opened
at its launch URL with `launch` and `iss` (as Overblik's `:apps` shows it), it discovers the platform from `iss`,
asks Authlib's OAuth 2.0 client for `launch` with the launch id, and reads the launch's patient. The test plays the
browser (requests) on the platform's login page. Driven by Tests/PlatformTests/ThirdPartyClientTests.swift; prints
one JSON object per step on stdout.

  smart_ehr_app.py LAUNCH_URL CLIENT REDIRECT_URI USER FHIR_URL
"""

import json
import re
import sys
from urllib.parse import parse_qs, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError


def say(**fields):
    print(json.dumps(fields))


LAUNCH_URL, CLIENT, REDIRECT, USER, FHIR = sys.argv[1:6]
query = parse_qs(urlparse(LAUNCH_URL).query)
LAUNCH, ISS = query["launch"][0], query["iss"][0]
SCOPE = "launch patient/Immunization.rs patient/Patient.rs"

config = requests.get(ISS + "/.well-known/smart-configuration", timeout=30).json()
say(step="discovery", capabilities=config.get("capabilities", []))


def authorize(launch, user):
    """The authorization request with the launch, the page, and the form posted as `user` (not followed)."""
    session = OAuth2Session(CLIENT, redirect_uri=REDIRECT, scope=SCOPE, code_challenge_method="S256")
    verifier = generate_token(64)
    url, state = session.create_authorization_url(
        config["authorization_endpoint"], code_verifier=verifier, aud=ISS, launch=launch)
    browser = requests.Session()
    page = browser.get(url, allow_redirects=False, timeout=30)
    if page.status_code != 200:
        return session, state, verifier, page, page.headers.get("Location", "")
    request = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
    answer = browser.post(config["authorization_endpoint"], data={"request": request, "user": user, "decision": "allow"},
                          allow_redirects=False, timeout=30)
    return session, state, verifier, page, answer.headers.get("Location", "")


session, state, verifier, page, location = authorize(LAUNCH, USER)
say(step="page", status=page.status_code, names_patient="Patient" in page.text or "patient" in page.text)
try:
    token = session.fetch_token(config["token_endpoint"], authorization_response=location, state=state,
                                code_verifier=verifier)
    say(step="token", ok=True, scope=token.get("scope"), patient=token.get("patient"),
        banner=token.get("need_patient_banner"))
    read = requests.get(FHIR, headers={"Authorization": "Bearer " + token["access_token"]}, timeout=30)
    say(step="read", status=read.status_code, entries=len(read.json().get("entry", [])))
except OAuthError as error:
    say(step="token", ok=False, error=error.error, description=error.description)

# The launch counts once: the same launch id again is refused back to the app.
_, _, _, page, location = authorize(LAUNCH, USER)
say(step="launch-again", status=page.status_code, location=location)
