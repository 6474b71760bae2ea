//! The desk's data key and what is encrypted with it, all with well-kept RustCrypto parts:
//!
//! - the database: SQLCipher, keyed with the data key itself (a raw key, so opening costs no
//!   key derivation);
//! - scans and kept PDFs: XChaCha20-Poly1305 in the STREAM construction (64 KiB segments, each
//!   authenticated, the last one marked), so a file is read and written a segment at a time and a
//!   cut-off or altered file never decrypts;
//! - small secrets (the key slots): XChaCha20-Poly1305 with a random nonce.
//!
//! Every purpose gets its own key from the data key through HKDF-SHA256, so no key is used for
//! two things.

use std::io::{self, Read, Write};

use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

/// The random key the whole desk is encrypted with. It never touches the disk in clear: each user's
/// password wraps a copy (see `vault`), and the recovery sheet carries it for the hall's safe.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl PartialEq for DataKey {
    fn eq(&self, other: &DataKey) -> bool {
        // Compared only in tests and to check a recovery key; constant time anyway.
        self.0.iter().zip(other.0.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl DataKey {
    /// A fresh key from the operating system's random source.
    pub fn random() -> DataKey {
        DataKey(Zeroizing::new(random_bytes()))
    }

    pub(crate) fn from_bytes(bytes: [u8; 32]) -> DataKey {
        DataKey(Zeroizing::new(bytes))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as SQLCipher's raw-key literal (`x'…'`): used as is, no PBKDF2 on every open.
    pub(crate) fn sqlcipher_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"x'{}'\"", hex::encode(*self.0)))
    }

    /// The value of SQLCipher's `PRAGMA key` for this key, for whoever opens the database with
    /// it outside this program (an investigator's `sqlite3` built with SQLCipher; the tests that
    /// play an insider who has the key).
    pub fn sqlcipher_key_pragma(&self) -> String {
        (*self.sqlcipher_literal()).clone()
    }

    /// A key for one purpose, derived with HKDF-SHA256.
    pub(crate) fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"tongban-desk"), &*self.0);
        let mut out = Zeroizing::new([0u8; 32]);
        hk.expand(purpose.as_bytes(), &mut *out).expect("32 bytes is a valid HKDF-SHA256 length");
        out
    }

    /// A value that tells whether a key is this one without revealing it (kept in the key file,
    /// so a recovery key or a key file from another desk is recognised before anything is opened).
    pub(crate) fn check_value(&self) -> String {
        hex::encode(&self.derive("key check v1")[..16])
    }

    /// The name a blob is kept under: a keyed hash of its content hash, so the folder does not
    /// tell which known files (a leaked ID card scan, the hub's list of hashes) this desk holds.
    pub(crate) fn blob_name(&self, sha256: &str) -> String {
        let key = self.derive("blob names v1");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&*key).expect("HMAC takes any key length");
        mac.update(sha256.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The recovery key printed once at set-up: this key, written for people.
    pub fn recovery_key(&self) -> RecoveryKey {
        let mut bytes = Zeroizing::new(Vec::with_capacity(34));
        bytes.extend_from_slice(&*self.0);
        bytes.extend_from_slice(&Sha256::digest(*self.0)[..2]);
        let text = base32_encode(&bytes);
        let groups: Vec<&str> = text.as_bytes().chunks(5).map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
        RecoveryKey(Zeroizing::new(groups.join("-")))
    }
}

/// The data key as printed on the recovery sheet: 55 characters of Crockford base32 (no I, L, O,
/// U; case and dashes do not matter) in 11 groups, with a checksum that catches a mistyped one.
pub struct RecoveryKey(Zeroizing<String>);

impl RecoveryKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The groups of five, as the sheet prints them.
    pub fn groups(&self) -> Vec<&str> {
        self.0.split('-').collect()
    }

    /// Reads a recovery key as typed. `None` when it is not one (wrong length, a character that
    /// cannot appear, or a checksum that does not match).
    pub fn parse(text: &str) -> Option<DataKey> {
        let cleaned: Zeroizing<String> =
            Zeroizing::new(text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect());
        let bytes = Zeroizing::new(base32_decode(&cleaned)?);
        if bytes.len() != 34 {
            return None;
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes[..32]);
        let sum = Sha256::digest(key);
        if sum[..2] != bytes[32..] {
            key.zeroize();
            return None;
        }
        Some(DataKey::from_bytes(key))
    }
}

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(…)")
    }
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(CROCKFORD[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(CROCKFORD[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    buffer.zeroize();
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars() {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        let v = CROCKFORD.iter().position(|&x| x as char == c)? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    buffer.zeroize();
    Some(out)
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).expect("the operating system's random source is available");
    out
}

/// Seals a small secret: a random 24-byte nonce, then the ciphertext with its tag.
pub(crate) fn seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce: [u8; 24] = random_bytes();
    let mut out = nonce.to_vec();
    out.extend(
        cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad })
            .expect("encrypting a small buffer cannot fail"),
    );
    out
}

/// Opens what [`seal`] made; `None` for a wrong key, other associated data, or altered bytes.
pub(crate) fn open(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < 24 + 16 {
        return None;
    }
    let cipher = XChaCha20Poly1305::new(key.into());
    let (nonce, body) = sealed.split_at(24);
    cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad }).ok().map(Zeroizing::new)
}

/// The first bytes of every encrypted blob: what it is, and the format's version.
pub(crate) const BLOB_MAGIC: &[u8; 8] = b"TBBLOB1\n";
/// Plaintext bytes per STREAM segment.
const SEGMENT: usize = 64 * 1024;
const TAG: usize = 16;
/// XChaCha20's 24-byte nonce less STREAM's 4-byte counter and 1-byte last-segment flag.
const STREAM_NONCE: usize = 19;

/// Why an encrypted blob could not be read.
#[derive(Debug)]
pub(crate) enum BlobFault {
    Io(io::Error),
    /// Not an encrypted blob of this format, cut short, altered, or for another key.
    Damaged,
}

impl From<io::Error> for BlobFault {
    fn from(e: io::Error) -> BlobFault {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => BlobFault::Damaged,
            _ => BlobFault::Io(e),
        }
    }
}

/// Encrypts `input` into `output` a segment at a time. `aad` binds the file to what it is
/// stored as (the content hash), so two files cannot be swapped unnoticed.
pub(crate) fn encrypt_stream(
    key: &[u8; 32],
    aad: &[u8],
    input: &mut impl Read,
    output: &mut impl Write,
) -> io::Result<u64> {
    let nonce: [u8; STREAM_NONCE] = random_bytes();
    let mut encryptor = EncryptorBE32::<XChaCha20Poly1305>::new(key.into(), (&nonce).into());
    output.write_all(BLOB_MAGIC)?;
    output.write_all(&nonce)?;
    let mut current = Zeroizing::new(vec![0u8; SEGMENT]);
    let mut filled = read_full(input, &mut current)?;
    let mut next = Zeroizing::new(vec![0u8; SEGMENT]);
    let mut total = filled as u64;
    loop {
        // A segment is the last one when nothing follows it; reading ahead tells.
        let ahead = if filled == SEGMENT { read_full(input, &mut next)? } else { 0 };
        let payload = Payload { msg: &current[..filled], aad };
        if ahead == 0 {
            let sealed = encryptor.encrypt_last(payload).map_err(|_| io::Error::other("blob encryption failed"))?;
            output.write_all(&sealed)?;
            return Ok(total);
        }
        let sealed = encryptor.encrypt_next(payload).map_err(|_| io::Error::other("blob encryption failed"))?;
        output.write_all(&sealed)?;
        std::mem::swap(&mut current, &mut next);
        filled = ahead;
        total += ahead as u64;
    }
}

/// Decrypts what [`encrypt_stream`] wrote, a segment at a time; nothing of a segment is written
/// before its tag checked. A file cut short ends without its last segment and is refused.
pub(crate) fn decrypt_stream(
    key: &[u8; 32],
    aad: &[u8],
    input: &mut impl Read,
    output: &mut impl Write,
) -> Result<(), BlobFault> {
    let mut magic = [0u8; 8];
    input.read_exact(&mut magic)?;
    if &magic != BLOB_MAGIC {
        return Err(BlobFault::Damaged);
    }
    let mut nonce = [0u8; STREAM_NONCE];
    input.read_exact(&mut nonce)?;
    let mut decryptor = DecryptorBE32::<XChaCha20Poly1305>::new(key.into(), (&nonce).into());
    let mut current = vec![0u8; SEGMENT + TAG];
    let mut filled = read_full(input, &mut current)?;
    let mut next = vec![0u8; SEGMENT + TAG];
    loop {
        if filled < TAG {
            return Err(BlobFault::Damaged);
        }
        let ahead = if filled == SEGMENT + TAG { read_full(input, &mut next)? } else { 0 };
        let payload = Payload { msg: &current[..filled], aad };
        if ahead == 0 {
            let plain = Zeroizing::new(decryptor.decrypt_last(payload).map_err(|_| BlobFault::Damaged)?);
            output.write_all(&plain)?;
            return Ok(());
        }
        let plain = Zeroizing::new(decryptor.decrypt_next(payload).map_err(|_| BlobFault::Damaged)?);
        output.write_all(&plain)?;
        std::mem::swap(&mut current, &mut next);
        filled = ahead;
    }
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(len: usize) {
        let key = DataKey::random();
        let k = key.derive("blobs v1");
        let plain: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let mut sealed = Vec::new();
        encrypt_stream(&k, b"aad", &mut plain.as_slice(), &mut sealed).unwrap();
        assert!(!sealed.windows(16.min(len.max(1))).any(|w| len >= 16 && w == &plain[..16]));
        let mut back = Vec::new();
        decrypt_stream(&k, b"aad", &mut sealed.as_slice(), &mut back).unwrap();
        assert_eq!(back, plain, "{len} bytes");
        // Cut anywhere, or flip a byte, and it no longer opens.
        for cut in [sealed.len() - 1, sealed.len() - TAG - 1, 27 + SEGMENT + TAG, 30] {
            if cut < sealed.len() {
                let r = decrypt_stream(&k, b"aad", &mut &sealed[..cut], &mut Vec::new());
                assert!(matches!(r, Err(BlobFault::Damaged)), "cut at {cut} of {len}");
            }
        }
        let mut flipped = sealed.clone();
        let at = flipped.len() / 2;
        flipped[at] ^= 1;
        assert!(decrypt_stream(&k, b"aad", &mut flipped.as_slice(), &mut Vec::new()).is_err());
        assert!(decrypt_stream(&k, b"other", &mut sealed.as_slice(), &mut Vec::new()).is_err());
    }

    #[test]
    fn blobs_of_every_size_roundtrip_and_a_cut_or_changed_file_never_opens() {
        for len in [0, 1, 100, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT, 3 * SEGMENT + 17] {
            roundtrip(len);
        }
    }

    #[test]
    fn a_recovery_key_reads_back_and_a_typo_is_caught() {
        let key = DataKey::random();
        let text = key.recovery_key();
        assert_eq!(text.groups().len(), 11, "{}", text.as_str());
        assert_eq!(RecoveryKey::parse(text.as_str()), Some(key.clone()));
        let relaxed = text.as_str().to_lowercase().replace('-', " ").replace('0', "o").replace('1', "l");
        assert_eq!(RecoveryKey::parse(&relaxed), Some(key.clone()), "case, spaces, O for 0 and l for 1");
        let mut typo: Vec<char> = text.as_str().chars().collect();
        typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
        assert_eq!(RecoveryKey::parse(&typo.into_iter().collect::<String>()), None);
        assert_eq!(RecoveryKey::parse("ABCDE-FGHJK"), None);
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_context() {
        let k = *DataKey::random().derive("x");
        let sealed = seal(&k, b"secret", b"slot a");
        assert_eq!(open(&k, &sealed, b"slot a").unwrap().as_slice(), b"secret");
        assert!(open(&k, &sealed, b"slot b").is_none());
        assert!(open(&[0u8; 32], &sealed, b"slot a").is_none());
    }
}
