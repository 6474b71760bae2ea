//! A hub's seal on the events it serves: an Ed25519 signature (RFC 8032, ed25519-dalek) over the
//! event and the region of the hub that admitted it, so a desk can tell, offline and for as long
//! as it keeps the event, that the deciding region's hub said exactly this.
//!
//! The signed message is [`message`]: a fixed label, the hub's region and the event as this
//! build serializes it (`serde_json`, fields in declaration order, no maps), so hub and desk,
//! sharing these types, sign and check the same bytes. Keys and signatures travel as lower-case
//! hex; people compare a key by its [`HubKey::fingerprint`].

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::case::CaseEvent;

/// What every sealed message starts with, so a signature made for anything else never checks.
const LABEL: &[u8] = b"tongban event seal v1\n";
/// The same for a document the hub publishes (a catalog version, a calendar year).
const DOCUMENT_LABEL: &[u8] = b"tongban document seal v1\n";

/// What a sealed document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document<'a> {
    /// A version of the region's 事项清单.
    Catalog { version: &'a str },
    /// A year of working-day calendar.
    CalendarYear { year: i32 },
}

/// The bytes a hub signs for a document of its region whose content has SHA-256 `sha256` (hex):
/// the hash stands for the content, which the reader checks against it first.
pub fn document_message(region: &str, document: Document<'_>, sha256: &str) -> Vec<u8> {
    let what = match document {
        Document::Catalog { version } => format!("catalog\n{version}"),
        Document::CalendarYear { year } => format!("calendar\n{year}"),
    };
    [DOCUMENT_LABEL, region.as_bytes(), b"\n", what.as_bytes(), b"\n", sha256.as_bytes()].concat()
}

/// Why a seal does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("签名公钥「{0}」格式不正确（应为 64 位十六进制数字）")]
    BadKey(String),
    #[error("签名格式不正确（应为 128 位十六进制数字）")]
    BadSignature,
    #[error("签名与内容不符：该事件在通办中心签发后被改动过，或不是由该通办中心签发")]
    Mismatch,
}

/// The bytes a hub signs for `event`, admitted by the hub of `region`.
pub fn message(region: &str, event: &CaseEvent) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1024);
    bytes.extend_from_slice(LABEL);
    bytes.extend_from_slice(region.as_bytes());
    bytes.push(b'\n');
    serde_json::to_writer(&mut bytes, event).expect("an event always serializes");
    bytes
}

/// A hub's public key, as a desk pins it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubKey(VerifyingKey);

impl HubKey {
    /// Reads a key from its hex form (surrounding spaces allowed, any case).
    pub fn parse(hex_key: &str) -> Result<HubKey, SealError> {
        let bad = || SealError::BadKey(hex_key.trim().chars().take(80).collect());
        let bytes: [u8; 32] =
            hex::decode(hex_key.trim().to_ascii_lowercase()).ok().and_then(|b| b.try_into().ok()).ok_or_else(bad)?;
        VerifyingKey::from_bytes(&bytes).map(HubKey).map_err(|_| bad())
    }

    /// The key as 64 lower-case hex digits: how it is stored and sent.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    /// What a person compares over the phone: the first 16 bytes of the key's SHA-256 as eight
    /// groups of four hex digits ("3F2A 9C1E …").
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        let digits = hex::encode_upper(&digest[..16]);
        digits.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).expect("hex is ASCII")).collect::<Vec<_>>().join(" ")
    }

    /// Checks that `signature` (hex) seals `event` as admitted by the hub of `region`.
    pub fn verify(&self, region: &str, event: &CaseEvent, signature: &str) -> Result<(), SealError> {
        self.verify_message(&message(region, event), signature)
    }

    /// Checks that `signature` (hex) seals a document of the hub of `region` with content hash
    /// `sha256`.
    pub fn verify_document(
        &self,
        region: &str,
        document: Document<'_>,
        sha256: &str,
        signature: &str,
    ) -> Result<(), SealError> {
        self.verify_message(&document_message(region, document, sha256), signature)
    }

    fn verify_message(&self, message: &[u8], signature: &str) -> Result<(), SealError> {
        let bytes: [u8; 64] =
            hex::decode(signature.trim()).ok().and_then(|b| b.try_into().ok()).ok_or(SealError::BadSignature)?;
        self.0.verify(message, &Signature::from_bytes(&bytes)).map_err(|_| SealError::Mismatch)
    }
}

/// A hub's own key, from its 32-byte secret seed.
pub struct HubSigner(SigningKey);

impl HubSigner {
    pub fn from_seed(seed: &[u8; 32]) -> HubSigner {
        HubSigner(SigningKey::from_bytes(seed))
    }

    pub fn public(&self) -> HubKey {
        HubKey(self.0.verifying_key())
    }

    /// The seal (hex) of `event`, admitted by the hub of `region`. Ed25519 is deterministic:
    /// the same event always gets the same seal.
    pub fn seal(&self, region: &str, event: &CaseEvent) -> String {
        hex::encode(self.0.sign(&message(region, event)).to_bytes())
    }

    /// The seal (hex) of a document of the hub of `region` whose content has SHA-256 `sha256`.
    pub fn seal_document(&self, region: &str, document: Document<'_>, sha256: &str) -> String {
        hex::encode(self.0.sign(&document_message(region, document, sha256)).to_bytes())
    }
}

impl std::fmt::Debug for HubSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the seed, not even in a log.
        f.debug_tuple("HubSigner").field(&self.public().fingerprint()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Author, CaseId, EventBody};

    fn decision(reason: &str) -> CaseEvent {
        CaseEvent {
            id: uuid::Uuid::nil(),
            case_id: CaseId(uuid::Uuid::nil()),
            at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            author: Author { user: "li".into(), desk: "d".into(), region: "110106".into(), name: "李审批".into() },
            body: EventBody::Refused { reason: reason.into() },
        }
    }

    #[test]
    fn a_seal_holds_for_its_event_and_region_only() {
        let signer = HubSigner::from_seed(&[7; 32]);
        let key = HubKey::parse(&signer.public().to_hex()).unwrap();
        let event = decision("不属于本地管辖");
        let seal = signer.seal("110106", &event);
        assert_eq!(seal, signer.seal("110106", &event), "deterministic");
        key.verify("110106", &event, &seal).unwrap();
        assert_eq!(key.verify("110106", &decision("材料不全"), &seal), Err(SealError::Mismatch));
        assert_eq!(key.verify("411329", &event, &seal), Err(SealError::Mismatch));
        let other = HubSigner::from_seed(&[8; 32]).public();
        assert_eq!(other.verify("110106", &event, &seal), Err(SealError::Mismatch));
        assert_eq!(key.verify("110106", &event, "zz"), Err(SealError::BadSignature));
        assert_eq!(key.verify("110106", &event, &seal[2..]), Err(SealError::BadSignature));
    }

    #[test]
    fn a_document_seal_holds_for_its_kind_name_and_hash_only() {
        let signer = HubSigner::from_seed(&[7; 32]);
        let key = signer.public();
        let catalog = Document::Catalog { version: "2026-12" };
        let seal = signer.seal_document("110106", catalog, "ab12");
        key.verify_document("110106", catalog, "ab12", &seal).unwrap();
        for (document, sha) in [
            (Document::Catalog { version: "2026-11" }, "ab12"),
            (catalog, "ab13"),
            (Document::CalendarYear { year: 2026 }, "ab12"),
        ] {
            assert_eq!(key.verify_document("110106", document, sha, &seal), Err(SealError::Mismatch));
        }
        let event_seal = signer.seal("110106", &decision("x"));
        assert_eq!(key.verify_document("110106", catalog, "ab12", &event_seal), Err(SealError::Mismatch));
    }

    #[test]
    fn a_key_reads_back_from_hex_and_has_a_fingerprint_people_can_read() {
        let key = HubSigner::from_seed(&[1; 32]).public();
        assert_eq!(HubKey::parse(&format!("  {}  ", key.to_hex().to_uppercase())).unwrap(), key);
        let fingerprint = key.fingerprint();
        assert_eq!(fingerprint.len(), 8 * 4 + 7);
        assert!(fingerprint.split(' ').all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_hexdigit())));
        assert!(matches!(HubKey::parse("abc"), Err(SealError::BadKey(_))));
        assert!(format!("{:?}", HubSigner::from_seed(&[1; 32])).contains(&fingerprint));
    }
}
