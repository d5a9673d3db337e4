"""A vendor's backend service as a third party writes it: Authlib (OAuth 2.0 / RFC 7523 private_key_jwt) against
the platform's token endpoint, then plain HTTP (requests) to read through the gateway. Driven by
Tests/PlatformTests/ThirdPartyClientTests.swift; prints one JSON object per step on stdout.

  smart_backend.py keygen DIR ALG          writes DIR/key.json (private JWK) and DIR/jwks.json (public JWKS)
  smart_backend.py run DIR ALG CLIENT TOKEN_URL FHIR_URL SCOPE
"""

import json
import sys
import uuid

import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from joserfc.jwk import ECKey, RSAKey, import_key


class SmartPrivateKeyJWT(PrivateKeyJWT):
    """SMART Backend Services' assertion: exp at most 5 minutes ahead, a fresh jti, the key's kid in the header.
    (Authlib's own default is an hour, which SMART servers refuse: see `authlib_defaults` below.)"""

    def __init__(self, token_endpoint, kid, alg, lifetime=240):
        super().__init__(token_endpoint=token_endpoint, alg=alg)
        self.kid, self.lifetime = kid, lifetime

    def sign(self, auth, token_endpoint):
        return private_key_jwt_sign(
            auth.client_secret, client_id=auth.client_id, token_endpoint=token_endpoint, alg=self.alg,
            header={"kid": self.kid}, expires_in=self.lifetime, claims={"jti": str(uuid.uuid4())})


def keygen(folder, alg):
    key = ECKey.generate_key("P-384", auto_kid=True) if alg == "ES384" else RSAKey.generate_key(2048, auto_kid=True)
    with open(f"{folder}/key.json", "w") as f:
        json.dump(key.as_dict(private=True), f)
    with open(f"{folder}/jwks.json", "w") as f:
        json.dump({"keys": [key.as_dict(private=False, alg=alg, use="sig")]}, f)
    print(json.dumps({"step": "keygen", "kid": key.kid}))


def session(client, key, scope, auth):
    s = OAuth2Session(client, key, token_endpoint_auth_method="private_key_jwt", scope=scope)
    s.register_client_auth_method(auth)
    return s


def attempt(step, fetch):
    try:
        token = fetch()
        print(json.dumps({"step": step, "ok": True, "token": token}))
        return token
    except OAuthError as error:
        print(json.dumps({"step": step, "ok": False, "error": error.error, "description": error.description}))
        return None


def run(folder, alg, client, token_url, fhir_url, scope):
    with open(f"{folder}/key.json") as f:
        key = import_key(json.load(f))
    smart = SmartPrivateKeyJWT(token_url, key.kid, alg)
    s = session(client, key, scope, smart)
    token = attempt("token", lambda: s.fetch_token(token_url, grant_type="client_credentials"))
    # A second token with a new assertion (Authlib signs each request anew: a new jti).
    attempt("token-again", lambda: s.fetch_token(token_url, grant_type="client_credentials"))
    if token:
        answer = requests.get(fhir_url, headers={"Authorization": f"Bearer {token['access_token']}",
                                                 "Accept": "application/fhir+json"}, timeout=30)
        body = answer.json()
        print(json.dumps({"step": "read", "status": answer.status_code, "resourceType": body.get("resourceType"),
                          "entries": len(body.get("entry", []))}))
    # What an app gets wrong, as the library sends it:
    # - Authlib's own PrivateKeyJWT defaults (an assertion valid for an hour);
    authlib_defaults = PrivateKeyJWT(token_url, alg=alg, headers={"kid": key.kid})
    attempt("authlib-defaults", lambda: session(client, key, scope, authlib_defaults).fetch_token(
        token_url, grant_type="client_credentials"))
    # - a scope beyond the registration;
    attempt("scope-beyond", lambda: session(client, key, "system/Observation.rs", SmartPrivateKeyJWT(
        token_url, key.kid, alg)).fetch_token(token_url, grant_type="client_credentials"))
    # - another key under the same kid;
    other = ECKey.generate_key("P-384") if alg == "ES384" else RSAKey.generate_key(2048)
    attempt("other-key", lambda: session(client, other, scope, SmartPrivateKeyJWT(
        token_url, key.kid, alg)).fetch_token(token_url, grant_type="client_credentials"))
    # - the assertion made for another server.
    attempt("other-audience", lambda: session(client, key, scope, SmartPrivateKeyJWT(
        "https://elsewhere.example/token", key.kid, alg)).fetch_token(token_url, grant_type="client_credentials"))


if __name__ == "__main__":
    if sys.argv[1] == "keygen":
        keygen(sys.argv[2], sys.argv[3])
    else:
        run(*sys.argv[2:8])
