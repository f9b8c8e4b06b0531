"""The mock engine used by the offline plan and the tests.

`OfflineMocks` gives pulumi-tls and pulumi-random resources real, throwaway values (keys,
certificates and passwords that real tools accept), derived from each resource's URN so
that two runs of the same program produce the same values. `RecordingMonitor` records
every registration with the dependencies the SDK sends, which is what graph.json shows.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gc
import hashlib
import ipaddress
import json
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dns.dnssec
import dns.name
import pulumi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from dns.dnssectypes import Algorithm
from dns.rdtypes.dnskeybase import Flag
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import resource_pb2, source_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

SECRET_SIG = rpc._special_secret_sig
SIG_KEY = rpc._special_sig_key

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey


def _seed(*parts: str) -> bytes:
    return hashlib.sha256("\0".join(parts).encode()).digest()


def _stream(seed: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def _private_key(algorithm: str, seed: bytes, rsa_bits: int, curve: str) -> PrivateKey:
    if algorithm == "ED25519":
        return ed25519.Ed25519PrivateKey.from_private_bytes(seed[:32])
    if algorithm == "ECDSA":
        curves: dict[str, ec.EllipticCurve] = {
            "P224": ec.SECP224R1(),
            "P256": ec.SECP256R1(),
            "P384": ec.SECP384R1(),
            "P521": ec.SECP521R1(),
        }
        # A 200-bit scalar is below the order of every supported curve.
        return ec.derive_private_key(
            int.from_bytes(seed[:25], "big") + 1, curves.get(curve, ec.SECP256R1())
        )
    # RSA cannot be derived from a seed with `cryptography`: it is the one random value.
    return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)


def _fixed_checkint(openssh_pem: str, seed: bytes) -> str:
    """The OpenSSH private key with its random check integers replaced by seeded ones.

    `cryptography` draws the two equal check words of the private section at random;
    fixing them keeps two runs of one program byte-identical.
    """
    lines = openssh_pem.strip().splitlines()
    blob = bytearray(base64.b64decode("".join(lines[1:-1])))
    offset = len(b"openssh-key-v1\0")
    for _ in range(3):  # cipher name, kdf name, kdf options
        offset += 4 + int.from_bytes(blob[offset : offset + 4], "big")
    offset += 4  # number of keys
    offset += 4 + int.from_bytes(blob[offset : offset + 4], "big")  # public key
    offset += 4  # length of the private section
    blob[offset : offset + 8] = seed[:4] * 2
    body = base64.b64encode(bytes(blob)).decode()
    wrapped = [body[i : i + 70] for i in range(0, len(body), 70)]
    return "\n".join([lines[0], *wrapped, lines[-1]]) + "\n"


def _key_outputs(key: PrivateKey, seed: bytes) -> dict[str, str]:
    public = key.public_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8
        if isinstance(key, ed25519.Ed25519PrivateKey)
        else serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    pkcs8 = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    openssh = _fixed_checkint(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        ).decode(),
        seed,
    )
    pub_ssh = public.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    digest = base64.b64encode(hashlib.sha256(base64.b64decode(pub_ssh.split()[1])).digest())
    return {
        "privateKeyPem": pem,
        "privateKeyPemPkcs8": pkcs8,
        "privateKeyOpenssh": openssh,
        "publicKeyPem": public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode(),
        "publicKeyOpenssh": pub_ssh.decode() + "\n",
        "publicKeyFingerprintSha256": "SHA256:" + digest.decode().rstrip("="),
        "publicKeyFingerprintMd5": "",
    }


def _load_key(pem: str) -> PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(
        key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
    ):
        raise ValueError(f"unsupported key type {type(key).__name__}")
    return key


def _subject(inputs: dict[str, Any]) -> x509.Name:
    subject = inputs.get("subject") or {}
    if isinstance(subject, list):
        subject = subject[0] if subject else {}
    attrs = []
    if subject.get("commonName"):
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, subject["commonName"]))
    for org in subject.get("organizations") or []:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    if subject.get("organization"):
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject["organization"]))
    return x509.Name(attrs)


_KEY_USAGES = {
    # pulumi-tls allowed_uses name -> cryptography KeyUsage argument
    "digital_signature": "digital_signature",
    "content_commitment": "content_commitment",
    "key_encipherment": "key_encipherment",
    "data_encipherment": "data_encipherment",
    "key_agreement": "key_agreement",
    "cert_signing": "key_cert_sign",
    "crl_signing": "crl_sign",
    "encipher_only": "encipher_only",
    "decipher_only": "decipher_only",
}
_EXT_USAGES = {
    "server_auth": ExtendedKeyUsageOID.SERVER_AUTH,
    "client_auth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "code_signing": ExtendedKeyUsageOID.CODE_SIGNING,
}


def _not_before() -> dt.datetime:
    # Midnight UTC today: the same for every run of a day, so runs stay comparable.
    today = dt.datetime.now(dt.UTC).date()
    return dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)


def _sign(
    inputs: dict[str, Any],
    *,
    subject: x509.Name,
    public_key: Any,
    issuer: x509.Name,
    signer: PrivateKey,
    seed: bytes,
    requested: list[x509.GeneralName] | None = None,
) -> str:
    hours = int(inputs.get("validityPeriodHours") or 24)
    start = _not_before()
    uses = {u.replace(" ", "_") for u in inputs.get("allowedUses") or []}
    is_ca = bool(inputs.get("isCaCertificate"))
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(int.from_bytes(seed[:16], "big") >> 1 or 1)
        .not_valid_before(start)
        # A day of slack keeps the stated span valid from any moment of the day.
        .not_valid_after(start + dt.timedelta(hours=hours, days=1))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    flags = {arg: name in uses for name, arg in _KEY_USAGES.items()}
    if any(flags.values()):
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    ext = [oid for name, oid in _EXT_USAGES.items() if name in uses]
    if ext:
        builder = builder.add_extension(x509.ExtendedKeyUsage(ext), critical=False)
    sans: list[x509.GeneralName] = list(requested or [])
    sans += [x509.DNSName(n) for n in inputs.get("dnsNames") or []]
    sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in inputs.get("ipAddresses") or []]
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    algorithm = None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    if isinstance(signer, ec.EllipticCurvePrivateKey):
        cert = builder.sign(signer, algorithm, ecdsa_deterministic=True)
    else:
        cert = builder.sign(signer, algorithm)
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _random_text(inputs: dict[str, Any], seed: bytes) -> str:
    length = int(inputs.get("length") or 16)
    alphabet = ""
    if inputs.get("lower", True):
        alphabet += string.ascii_lowercase
    if inputs.get("upper", True):
        alphabet += string.ascii_uppercase
    if inputs.get("numeric", True) and inputs.get("number", True):
        alphabet += string.digits
    if inputs.get("special", True):
        alphabet += inputs.get("overrideSpecial") or "!@#$%&*()-_=+[]{}<>:?"
    alphabet = alphabet or string.ascii_lowercase
    stream = _stream(seed, length * 2)
    return "".join(
        alphabet[int.from_bytes(stream[2 * i : 2 * i + 2], "big") % len(alphabet)]
        for i in range(length)
    )


def _address(network: str, seed: bytes) -> str:
    """A host address of `network` (documentation ranges for public ones), from the seed."""
    net = ipaddress.IPv4Network(network)
    hosts = net.num_addresses - 2
    return str(net.network_address + 1 + int.from_bytes(seed[:4], "big") % hosts)


GCP_PUBLIC = "198.18.0.0/15"
"""GCP's public addresses in the plan: a reserved range (RFC 2544) large enough that the
addresses of a stack's nodes do not repeat."""


def _uuid(seed: bytes) -> str:
    h = seed.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def fake_invoke(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """What a lookup would answer: Scaleway's offer and OS ids; other invokes echo their args."""
    out = dict(args)
    if token in ("scaleway:elasticmetal/getOffer:getOffer", "scaleway:elasticmetal/getOs:getOs"):
        zone = str(args.get("zone") or "fr-par-2")
        found = f"{zone}/{_uuid(_seed(token, json.dumps(args, sort_keys=True)))}"
        out["id"] = found
        out["offerId" if token.endswith("getOffer") else "osId"] = found
    return out


def fake_outputs(typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The outputs a provider would compute for `typ`, as real throwaway values."""
    seed = _seed(typ, name)
    out = dict(inputs)
    if typ == "tls:index/privateKey:PrivateKey":
        key = _private_key(
            str(inputs.get("algorithm", "RSA")),
            seed,
            int(inputs.get("rsaBits") or 2048),
            str(inputs.get("ecdsaCurve") or "P224"),
        )
        out.update(_key_outputs(key, seed))
    elif typ == "tls:index/selfSignedCert:SelfSignedCert":
        key = _load_key(inputs["privateKeyPem"])
        subject = _subject(inputs)
        out["certPem"] = _sign(
            inputs,
            subject=subject,
            public_key=key.public_key(),
            issuer=subject,
            signer=key,
            seed=seed,
        )
    elif typ == "tls:index/certRequest:CertRequest":
        key = _load_key(inputs["privateKeyPem"])
        csr_builder = x509.CertificateSigningRequestBuilder().subject_name(_subject(inputs))
        requested: list[x509.GeneralName] = [x509.DNSName(n) for n in inputs.get("dnsNames") or []]
        requested += [
            x509.IPAddress(ipaddress.ip_address(a)) for a in inputs.get("ipAddresses") or []
        ]
        if requested:
            csr_builder = csr_builder.add_extension(
                x509.SubjectAlternativeName(requested), critical=False
            )
        algo = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
        out["certRequestPem"] = (
            csr_builder.sign(key, algo).public_bytes(serialization.Encoding.PEM).decode()
        )
    elif typ == "tls:index/locallySignedCert:LocallySignedCert":
        csr = x509.load_pem_x509_csr(inputs["certRequestPem"].encode())
        ca_cert = x509.load_pem_x509_certificate(inputs["caCertPem"].encode())
        ca_key = _load_key(inputs["caPrivateKeyPem"])
        try:
            asked = list(csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
        except x509.ExtensionNotFound:
            asked = []
        out["certPem"] = _sign(
            inputs,
            subject=csr.subject,
            public_key=csr.public_key(),
            issuer=ca_cert.subject,
            signer=ca_key,
            seed=seed,
            requested=asked,
        )
    elif typ in (
        "random:index/randomPassword:RandomPassword",
        "random:index/randomString:RandomString",
    ):
        out["result"] = _random_text(inputs, seed)
        if typ.endswith("RandomPassword"):
            out["bcryptHash"] = ""
    elif typ == "random:index/randomBytes:RandomBytes":
        raw = _stream(seed, int(inputs.get("length") or 32))
        out["base64"] = base64.b64encode(raw).decode()
        out["hex"] = raw.hex()
    elif typ == "random:index/randomId:RandomId":
        raw = _stream(seed, int(inputs.get("byteLength") or 8))
        out["hex"] = raw.hex()
        out["b64Std"] = base64.b64encode(raw).decode()
        out["b64Url"] = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        out["dec"] = str(int.from_bytes(raw, "big"))
    elif typ == "equinix-metal:index/device:Device":
        out["accessPublicIpv4"] = _address("198.51.100.0/24", seed)
        out["accessPrivateIpv4"] = _address("10.64.0.0/16", seed)
    elif typ == "gcp:compute/instance:Instance":
        nics = [dict(n) for n in inputs.get("networkInterfaces") or [{}]]
        nics[0]["networkIp"] = _address("10.128.0.0/16", seed)
        if nics[0].get("accessConfigs") is not None:
            # A static address given as natIp stays; otherwise GCE picks an ephemeral one.
            given = (nics[0]["accessConfigs"] or [{}])[0].get("natIp")
            nics[0]["accessConfigs"] = [{"natIp": given or _address(GCP_PUBLIC, seed)}]
        out["networkInterfaces"] = nics
    elif typ == "gcp:compute/address:Address":
        out.setdefault("address", _address(GCP_PUBLIC, seed))
    elif typ == "scaleway:elasticmetal/server:Server":
        address = _address("198.51.100.0/24", seed)
        out["ipv4s"] = [{"address": address, "id": _uuid(seed), "version": "IPv4"}]
        out["ips"] = out["ipv4s"]
    elif typ in ("command:remote:Command", "command:local:Command"):
        out.setdefault("stdout", "")
        out.setdefault("stderr", "")
    elif typ == MANAGED_ZONE:
        letter = "abcde"[seed[0] % 5]
        out["nameServers"] = [f"ns-cloud-{letter}{n}.googledomains.com." for n in range(1, 5)]
        out["managedZoneId"] = str(int.from_bytes(seed[:6], "big"))
        out.setdefault("project", "offline-project")
    return out


MANAGED_ZONE = "gcp:dns/managedZone:ManagedZone"
GET_KEYS = "gcp:dns/getKeys:getKeys"


def managed_zone_id(inputs: dict[str, Any], name: str) -> str:
    """A managed zone's id as Cloud DNS's provider reports it."""
    project = inputs.get("project") or "offline-project"
    return f"projects/{project}/managedZones/{inputs.get('name') or name}"


def _dnssec_key(dns_name: str, flags: int, seed: bytes) -> dict[str, Any]:
    """One Cloud DNS DnsKey (ECDSA P-256) for `dns_name`, from a real key derived from `seed`.

    The key tag and the DS digest are computed from the DNSKEY record the key makes, so a
    DS built from these values validates against the public key (RFC 4034 5.1.4).
    """
    private = ec.derive_private_key(int.from_bytes(seed[:25], "big") + 1, ec.SECP256R1())
    dnskey = dns.dnssec.make_dnskey(private.public_key(), Algorithm.ECDSAP256SHA256, flags=flags)
    key: dict[str, Any] = {
        "algorithm": "ecdsap256sha256",
        "creationTime": "2026-01-01T00:00:00.000Z",
        "description": "",
        "id": str(int.from_bytes(seed[25:29], "big")),
        "isActive": True,
        "keyLength": 256,
        "keyTag": dns.dnssec.key_id(dnskey),
        "publicKey": base64.b64encode(dnskey.key).decode(),
        "digests": [],
    }
    if flags & Flag.SEP:
        ds = dns.dnssec.make_ds(dns.name.from_text(dns_name), dnskey, "SHA256")
        key["digests"] = [{"digest": ds.digest.hex(), "type": "sha256"}]
        key["dsRecord"] = f"{ds.key_tag} {ds.algorithm} {ds.digest_type} {ds.digest.hex()}"
    return key


def fake_keys(zone_id: str, dns_name: str, project: str) -> dict[str, Any]:
    """What `gcp.dns.get_keys` returns for a signed zone: one active KSK and one ZSK."""
    return {
        "id": zone_id,
        "managedZone": zone_id,
        "project": project,
        "keySigningKeys": [_dnssec_key(dns_name, 257, _seed(GET_KEYS, dns_name, "ksk"))],
        "zoneSigningKeys": [_dnssec_key(dns_name, 256, _seed(GET_KEYS, dns_name, "zsk"))],
    }


class OfflineMocks(pulumi.runtime.Mocks):
    """Mocks that answer like the providers, with real throwaway keys and passwords."""

    def __init__(self) -> None:
        super().__init__()
        self.zones: dict[str, dict[str, Any]] = {}
        """Every managed zone registered so far, by id and by name (for `getKeys`)."""

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        """A resource's id and outputs: its inputs plus what its provider would compute."""
        inputs = unwrap_secrets(args.inputs)
        outputs = fake_outputs(args.typ, args.name, inputs)
        if args.typ == MANAGED_ZONE:
            zone_id = managed_zone_id(inputs, args.name)
            self.zones[zone_id] = self.zones[str(inputs.get("name"))] = outputs
            return zone_id, outputs
        return f"{args.name}-id", outputs

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        """`getKeys` answers with real keys for the zone, Scaleway's offer and OS lookups with
        stand-in ids; other invokes return their arguments."""
        if args.token == GET_KEYS:
            zone_ref = str(args.args.get("managedZone") or "")
            zone = self.zones.get(zone_ref, {})
            # A zone this program did not create (an existing apex): its DNS name is unknown.
            dns_name = str(zone.get("dnsName") or f"{zone_ref.rsplit('/', 1)[-1]}.offline.invalid.")
            project = str(args.args.get("project") or zone.get("project") or "offline-project")
            return fake_keys(zone_ref, dns_name, project), []
        return fake_invoke(args.token, dict(args.args)), []


def is_secret(value: Any) -> bool:
    """True for a value the SDK sent as a secret envelope."""
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def unwrap_secrets(value: Any) -> Any:
    """The value with every secret envelope replaced by what it holds."""
    if is_secret(value):
        return unwrap_secrets(value["value"])
    if isinstance(value, dict):
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def secret_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths of every secret envelope inside `value` ("" for the value itself)."""
    if is_secret(value):
        return [path]
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += secret_paths(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += secret_paths(v, f"{path}[{i}]")
    return found


def mask_secrets(value: Any, placeholder: str = "[secret]") -> Any:
    """The value with every secret envelope replaced by `placeholder`."""
    if is_secret(value):
        return placeholder
    if isinstance(value, dict):
        return {k: mask_secrets(v, placeholder) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v, placeholder) for v in value]
    return value


def is_json(value: Any) -> bool:
    """True for a value made only of dicts (string keys), lists, strings, numbers, booleans
    and None: no Output, resource, asset or other object the SDK would have to resolve."""
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(is_json(v) for v in value)
    return False


def json_properties(values: dict[str, Any]) -> dict[str, Any] | None:
    """`values` as the SDK's `serialize_properties` would send them (a property whose value
    is None is left out) when every value is plain JSON; None when one is not."""
    if not all(is_json(v) for v in values.values()):
        return None
    return {k: v for k, v in values.items() if v is not None}


@dataclass
class Registration:
    """One resource as the SDK registered it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    raw_inputs: dict[str, Any]
    """Inputs as sent: secrets still wrapped in their envelope."""
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str
    options: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    """What the mock provider answered (secrets unwrapped)."""

    @property
    def inputs(self) -> dict[str, Any]:
        """Inputs with every secret unwrapped."""
        return dict(unwrap_secrets(self.raw_inputs))

    @property
    def secret_inputs(self) -> list[str]:
        """Dotted paths of the inputs that were sent as secrets."""
        return secret_paths(self.raw_inputs)


@contextlib.contextmanager
def offline_runtime() -> Iterator[None]:
    """What an offline run can do without, for speed; the record is the same either way.

    - The cyclic garbage collector is paused: the SDK makes many short-lived cycles (tasks,
      futures), and each full collection walks every object of the provider SDKs (hundreds
      of thousands), which made plan time grow faster than the number of resources.
      Whatever the run leaves behind is collected once it is back on.
    - The SDK's walk of the Python stack for each resource's source position is skipped:
      the mock engine records no source positions (RecordingMonitor keeps none).
    """
    collecting = gc.isenabled()
    stack_trace = getattr(runtime_resource, "_get_stack_trace", None)
    gc.disable()
    if stack_trace is not None:
        runtime_resource._get_stack_trace = source_pb2.StackTrace  # an empty trace
    try:
        yield
    finally:
        if stack_trace is not None:
            runtime_resource._get_stack_trace = stack_trace
        if collecting:
            gc.enable()


@dataclass
class Invoke:
    """One invoke (a provider function such as `gcp:dns/getKeys:getKeys`) and its answer."""

    token: str
    args: dict[str, Any]
    result: dict[str, Any]


class RecordingMonitor(MockMonitor):
    """A mock monitor that keeps every registration, with its dependencies and options."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.invokes: list[Invoke] = []
        """Every invoke the program made, in order, with what the mocks answered."""

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        """Answer the invoke from the mocks and record it."""
        response = super().Invoke(request)  # type: ignore[no-untyped-call]
        self.invokes.append(
            Invoke(
                token=request.tok,
                args=dict(rpc.deserialize_properties(request.args)),
                result=dict(rpc.deserialize_properties(getattr(response, "return"))),
            )
        )
        return response

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        """Record the request and answer as the engine would: outputs a provider marks
        secret (`additional_secret_outputs`) come back as secrets."""
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()  # type: ignore[no-untyped-call]
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        args = pulumi.runtime.MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=inputs,
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        id_, state = self.mocks.new_resource(args)
        secret_outputs = set(request.additionalSecretOutputs)
        state = {k: rpc.wrap_rpc_secret(v) if k in secret_outputs else v for k, v in state.items()}
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_ or "", state)
        self.registrations.append(
            Registration(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=bool(request.custom),
                raw_inputs=dict(inputs),
                dependencies=sorted(set(request.dependencies)),
                property_dependencies={
                    k: sorted(v.urns) for k, v in request.propertyDependencies.items()
                },
                provider=request.provider,
                options={
                    "additionalSecretOutputs": sorted(secret_outputs),
                    "deleteBeforeReplace": bool(request.deleteBeforeReplace),
                    "replaceOnChanges": sorted(request.replaceOnChanges),
                    "ignoreChanges": sorted(request.ignoreChanges),
                    "deletedWith": request.deletedWith,
                    "protect": bool(request.protect),
                },
                outputs=dict(unwrap_secrets(state)),
            )
        )
        # Mocks answer plain JSON (secrets are envelopes, unknowns a sentinel string): that is
        # a Struct at once. Anything else goes through the SDK, which needs an event loop.
        plain = json_properties(state)
        if plain is None:
            obj = _sync_await(rpc.serialize_properties(state, {}))
            return resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "", object=obj)
        response = resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "")
        response.object.update(plain)
        return response
