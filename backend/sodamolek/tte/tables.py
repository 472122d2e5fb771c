from piccolo.columns import Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from sodamolek.accounts.tables import Account


class SignerCertificate(Table, tablename="signer_certificate"):
    """A signing account's certificate from the city CA, with its private key as a PKCS#12
    archive encrypted under the signer's own passphrase (the server cannot open it alone).
    Rows are never deleted: a revoked certificate keeps its row (without the key), so letters
    signed before still name their signer."""

    id: Serial

    account = ForeignKey(Account, null=False, index=True)
    serial = Varchar(length=64, unique=True)  # hex, as in the certificate
    issuer_label = Varchar(length=32)  # the CA generation that issued it
    subject = Varchar(length=300)
    certificate_pem = Text()
    key_archive = Bytea(null=True, default=None)  # None once revoked or replaced
    not_before = Timestamptz()
    not_after = Timestamptz()
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=200, default="")


class PassphraseFailure(Table, tablename="passphrase_failure"):
    """One wrong signing passphrase; the throttle counts recent ones per signer."""

    id: Serial

    account = ForeignKey(Account, null=False, index=True)
    failed_at = Timestamptz(index=True)


class RevocationList(Table, tablename="revocation_list"):
    """The current CRL (DER) of each CA generation, re-issued whenever a certificate is revoked;
    the verification hands it to pyHanko's validator."""

    id: Serial

    issuer_label = Varchar(length=32, unique=True)
    crl = Bytea()
    updated_at = Timestamptz()


class SignatureRecord(Table, tablename="signature_record"):
    """Each PAdES signature put on a letter: the hash of the PDF revision it closes finds the
    letter again from an uploaded file (is it revoked?)."""

    id: Serial

    letter = Integer(index=True)  # issuing's letter id (issuing owns that table)
    verification_token = Varchar(length=64, index=True)
    revision_sha256 = Varchar(length=64, unique=True)
    role = Varchar(length=8)  # "lurah" or "camat"
    account = ForeignKey(Account, null=True)
    backend = Varchar(length=16)  # "embedded" or "bsre"
    certificate_serial = Varchar(length=64, default="")
    signed_at = Timestamptz()


class SignerProfile(Table, tablename="signer_profile"):
    """A signer's NIK as BSrE knows it (the esign service signs by NIK); personal data: shown
    masked, never logged."""

    id: Serial

    account = ForeignKey(Account, null=False, unique=True)
    bsre_nik = Varchar(length=16, default="")
