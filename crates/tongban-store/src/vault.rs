//! The key file beside the database (`desk.db` → `desk.keys`): the data key wrapped once per
//! user, the way LUKS keeps key slots. A slot's key is derived from the user's password with
//! argon2id; opening a slot is the password check, so the password exists nowhere else. Adding a
//! user or setting a password writes a slot, disabling one takes the wrapped key out of it: the
//! database and the scans are never encrypted again.
//!
//! The file holds nothing personal: slots are named by a salted hash of the login, and the only
//! clear text is what the login screen shows before anyone logs in (the desk's region and window,
//! and on the demo desk its demo accounts). Failed logins are noted here, because nothing can be
//! written to the encrypted database before someone logs in; the next login moves them into the
//! audit log. The lockout after five wrong passwords lives here for the same reason.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::crypt::{self, DataKey};
use crate::desk::{LOCKOUT_MINUTES, MAX_FAILED_LOGINS};
use crate::{Result, StoreError};

/// argon2id for new slots: 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended setting, one
/// lane because a desk PC has few cores): about a third of a second on an office PC, which a
/// login can afford and a thief's guessing pays for every try.
pub const KDF_M_KIB: u32 = 64 * 1024;
pub const KDF_T: u32 = 3;
pub const KDF_P: u32 = 1;

/// Failed logins kept for the audit log between two logins; older ones are counted, not listed.
const MAX_NOTED_FAILURES: usize = 200;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFile {
    format: u32,
    /// Tells whether a key (a recovery key, the key of a database beside) is this desk's.
    key_check: String,
    /// Salt of the slots' names (a hash of the login), so the file does not list the logins.
    login_salt: String,
    /// What the login screen shows before anyone logs in; `None` until the desk is set up.
    #[serde(default)]
    desk: Option<PublicDesk>,
    /// The demo desk's accounts, listed on its login screen (empty on every real desk).
    #[serde(default)]
    demo_accounts: Vec<DemoAccount>,
    slots: Vec<Slot>,
    /// Wrong passwords since the last login, for the audit log.
    #[serde(default)]
    failures: Vec<FailedLogin>,
    /// Failures beyond [`MAX_NOTED_FAILURES`], counted only.
    #[serde(default)]
    failures_dropped: u64,
    /// The data key wrapped by a machine-bound secret (Windows DPAPI / the Linux keyring), for an
    /// unattended `tongban sync`; only when an admin turned it on.
    #[serde(default)]
    unattended: Option<String>,
}

/// The desk as the login screen names it: public facts of a government window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDesk {
    pub id: String,
    pub region: String,
    /// Hall and window, as printed on the forms.
    pub window: String,
    pub desk_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoAccount {
    pub login: String,
    pub display_name: String,
    pub role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Slot {
    /// A salted hash of the login.
    id: String,
    kdf: Kdf,
    /// A hash of the password-derived key: tells a right password from a wrong one even when the
    /// slot holds no key (a disabled user).
    check: String,
    /// The data key sealed with the password-derived key; `None` once the user is disabled.
    sealed: Option<String>,
    #[serde(default)]
    failed: i64,
    #[serde(default)]
    locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Kdf {
    m: u32,
    t: u32,
    p: u32,
    salt: String,
}

impl Kdf {
    fn fresh() -> Kdf {
        Kdf { m: KDF_M_KIB, t: KDF_T, p: KDF_P, salt: hex::encode(crypt::random_bytes::<16>()) }
    }

    fn is_current(&self) -> bool {
        (self.m, self.t, self.p) == (KDF_M_KIB, KDF_T, KDF_P)
    }

    /// The password-derived key.
    fn derive(&self, password: &str) -> Result<Zeroizing<[u8; 32]>> {
        let params =
            argon2::Params::new(self.m, self.t, self.p, Some(32)).map_err(|e| StoreError::Password(e.to_string()))?;
        let salt = hex::decode(&self.salt).map_err(|_| StoreError::Password("salt".into()))?;
        let mut out = Zeroizing::new([0u8; 32]);
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password_into(password.as_bytes(), &salt, &mut *out)
            .map_err(|e| StoreError::Password(e.to_string()))?;
        Ok(out)
    }
}

/// A wrong password (or an unknown login) noted for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedLogin {
    pub at: DateTime<Utc>,
    /// The slot tried, `None` for a login that does not exist.
    slot: Option<String>,
    /// Whether this failure locked the login.
    pub locked: bool,
}

/// The password-derived key's two uses: opening the slot, and the check value.
fn slot_keys(derived: &[u8; 32]) -> (Zeroizing<[u8; 32]>, String) {
    let k = DataKey::from_bytes(*derived);
    (k.derive("slot seal v1"), hex::encode(&k.derive("slot check v1")[..16]))
}

fn seal_context(slot_id: &str) -> Vec<u8> {
    format!("tongban slot {slot_id}").into_bytes()
}

/// The key file of a database: `desk.db` → `desk.keys`.
pub fn keys_path(db: &Path) -> PathBuf {
    sibling(db, "keys")
}

/// `desk.db` → `desk.<ext>`, beside it.
pub(crate) fn sibling(db: &Path, ext: &str) -> PathBuf {
    let stem = db.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    db.with_file_name(format!("{stem}.{ext}"))
}

/// A key file, as read.
pub struct Vault {
    path: PathBuf,
    file: KeyFile,
}

/// Failed logins taken from the key file, each with the login it tried (`None`: one that does not
/// exist), and how many more were only counted.
pub(crate) type TakenFailures = (Vec<(FailedLogin, Option<String>)>, u64);

impl Vault {
    /// A key file for a new database, not yet written.
    pub(crate) fn new(db: &Path, key: &DataKey) -> Vault {
        Vault {
            path: keys_path(db),
            file: KeyFile {
                format: 1,
                key_check: key.check_value(),
                login_salt: hex::encode(crypt::random_bytes::<16>()),
                desk: None,
                demo_accounts: Vec::new(),
                slots: Vec::new(),
                failures: Vec::new(),
                failures_dropped: 0,
                unattended: None,
            },
        }
    }

    /// Reads the key file of the database at `db`; `None` when there is none.
    pub fn load(db: &Path) -> Result<Option<Vault>> {
        let path = keys_path(db);
        let text = match fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let file: KeyFile = serde_json::from_slice(&text).map_err(|_| StoreError::KeyFileDamaged(path.clone()))?;
        if file.format != 1 {
            return Err(StoreError::KeyFileDamaged(path));
        }
        Ok(Some(Vault { path, file }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `key` is the key this file wraps.
    pub fn fits(&self, key: &DataKey) -> bool {
        self.file.key_check == key.check_value()
    }

    pub fn desk(&self) -> Option<&PublicDesk> {
        self.file.desk.as_ref()
    }

    pub fn demo_accounts(&self) -> &[DemoAccount] {
        &self.file.demo_accounts
    }

    /// Whether an admin turned unattended sync on.
    pub fn unattended_on(&self) -> bool {
        self.file.unattended.is_some()
    }

    /// The data key, from the seal made for unattended sync, with the machine-bound secret.
    pub(crate) fn open_unattended(&self, secret: &[u8; 32]) -> Option<DataKey> {
        let sealed = hex::decode(self.file.unattended.as_deref()?).ok()?;
        let key = crypt::open(secret, &sealed, b"tongban unattended")?;
        let bytes: [u8; 32] = key.as_slice().try_into().ok()?;
        Some(DataKey::from_bytes(bytes)).filter(|k| self.fits(k))
    }

    pub(crate) fn seal_unattended(secret: &[u8; 32], key: &DataKey) -> String {
        hex::encode(crypt::seal(secret, key.bytes(), b"tongban unattended"))
    }

    fn slot_id(&self, login: &str) -> String {
        hex::encode(Sha256::digest(format!("{}\n{}", self.file.login_salt, login.trim())))
    }

    /// Whether `login` has a slot that opens (a password set, not disabled).
    pub fn can_log_in(&self, login: &str) -> bool {
        let id = self.slot_id(login);
        self.file.slots.iter().any(|s| s.id == id && s.sealed.is_some())
    }

    /// Whether any user has a slot (a key file with none belongs to a set-up cut short).
    pub fn any_slot(&self) -> bool {
        !self.file.slots.is_empty()
    }

    pub(crate) fn has_password(&self, login: &str) -> bool {
        let id = self.slot_id(login);
        self.file.slots.iter().any(|s| s.id == id)
    }

    /// Opens `login`'s slot with `password`. Every wrong password and every unknown login get
    /// [`StoreError::BadLogin`] after the same work, so neither the message nor the time tells
    /// which logins exist; five wrong in a row lock the login for [`LOCKOUT_MINUTES`]. Failures
    /// are written to the file at once.
    pub fn unlock(db: &Path, login: &str, password: &str, now: DateTime<Utc>) -> Result<(DataKey, bool)> {
        let vault = Vault::load(db)?.ok_or_else(|| StoreError::NoKeyFile(keys_path(db)))?;
        let id = vault.slot_id(login);
        let Some(slot) = vault.file.slots.iter().find(|s| s.id == id).cloned() else {
            // The same work as a real check.
            let _ = Kdf { salt: "00".repeat(16), ..Kdf::fresh() }.derive(password);
            Vault::note_failure(db, None, now)?;
            return Err(StoreError::BadLogin);
        };
        if let Some(until) = slot.locked_until.filter(|t| *t > now) {
            return Err(StoreError::LoginLocked { minutes: minutes_until(now, until) });
        }
        let derived = slot.kdf.derive(password)?;
        let (seal_key, check) = slot_keys(&derived);
        if check != slot.check {
            return match Vault::note_failure(db, Some(&id), now)? {
                true => Err(StoreError::LoginLocked { minutes: LOCKOUT_MINUTES }),
                false => Err(StoreError::BadLogin),
            };
        }
        let Some(sealed) = slot.sealed.as_deref() else {
            return Err(StoreError::UserDisabled(login.trim().to_string()));
        };
        let key = hex::decode(sealed)
            .ok()
            .and_then(|s| crypt::open(&seal_key, &s, &seal_context(&id)))
            .filter(|k| k.len() == 32)
            .ok_or_else(|| StoreError::KeyFileDamaged(keys_path(db)))?;
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&key);
        let key = DataKey::from_bytes(bytes);
        if !vault.fits(&key) {
            return Err(StoreError::KeyFileDamaged(keys_path(db)));
        }
        if slot.failed > 0 || slot.locked_until.is_some() {
            Vault::update(db, |f| {
                if let Some(s) = f.slots.iter_mut().find(|s| s.id == id) {
                    s.failed = 0;
                    s.locked_until = None;
                }
            })?;
        }
        Ok((key, !slot.kdf.is_current()))
    }

    /// Opens `login`'s slot with `password` and writes nothing (a backup's key file, which may
    /// be on a write-protected stick and must stay as its manifest lists it). A wrong password
    /// and an unknown login get the same answer after the same work.
    pub(crate) fn open_slot(&self, login: &str, password: &str) -> Result<DataKey> {
        let id = self.slot_id(login);
        let Some(slot) = self.file.slots.iter().find(|s| s.id == id) else {
            let _ = Kdf { salt: "00".repeat(16), ..Kdf::fresh() }.derive(password);
            return Err(StoreError::BadLogin);
        };
        let derived = slot.kdf.derive(password)?;
        let (seal_key, check) = slot_keys(&derived);
        if check != slot.check {
            return Err(StoreError::BadLogin);
        }
        let Some(sealed) = slot.sealed.as_deref() else {
            return Err(StoreError::UserDisabled(login.trim().to_string()));
        };
        let key = hex::decode(sealed)
            .ok()
            .and_then(|s| crypt::open(&seal_key, &s, &seal_context(&id)))
            .filter(|k| k.len() == 32)
            .ok_or_else(|| StoreError::KeyFileDamaged(self.path.clone()))?;
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&key);
        let key = DataKey::from_bytes(bytes);
        if !self.fits(&key) {
            return Err(StoreError::KeyFileDamaged(self.path.clone()));
        }
        Ok(key)
    }

    /// Notes a wrong password; returns whether it locked the login.
    fn note_failure(db: &Path, slot: Option<&str>, now: DateTime<Utc>) -> Result<bool> {
        let mut locked = false;
        Vault::update(db, |f| {
            if let Some(s) = slot.and_then(|id| f.slots.iter_mut().find(|s| s.id == id)) {
                s.failed += 1;
                if s.failed >= MAX_FAILED_LOGINS {
                    s.failed = 0;
                    s.locked_until = Some(now + chrono::Duration::minutes(LOCKOUT_MINUTES));
                    locked = true;
                }
            }
            if f.failures.len() >= MAX_NOTED_FAILURES {
                f.failures.remove(0);
                f.failures_dropped += 1;
            }
            f.failures.push(FailedLogin { at: now, slot: slot.map(str::to_string), locked });
        })?;
        Ok(locked)
    }

    /// Gives `login` a slot for `password` (a new user, a changed or reset password, the recovery
    /// key's new admin password), replacing any slot they had. A disabled user's slot holds no key.
    pub(crate) fn set_password(db: &Path, key: &DataKey, login: &str, password: &str, enabled: bool) -> Result<()> {
        // The slow derivation outside the lock.
        let slot = FreshSlot::new(password)?;
        Vault::update_or_create(db, key, |f, id_of| slot.put(f, key, id_of(login), enabled))
    }

    /// Takes the wrapped key out of `login`'s slot: their password opens nothing any more.
    pub(crate) fn disable(db: &Path, key: &DataKey, login: &str) -> Result<()> {
        Vault::update_or_create(db, key, |f, id_of| {
            let id = id_of(login);
            if let Some(s) = f.slots.iter_mut().find(|s| s.id == id) {
                s.sealed = None;
            }
        })
    }

    /// Names the desk for the login screen.
    pub(crate) fn set_public_desk(db: &Path, key: &DataKey, desk: PublicDesk) -> Result<()> {
        Vault::update_or_create(db, key, |f, _| f.desk = Some(desk))
    }

    pub(crate) fn set_demo_accounts(db: &Path, key: &DataKey, accounts: Vec<DemoAccount>) -> Result<()> {
        Vault::update_or_create(db, key, |f, _| f.demo_accounts = accounts)
    }

    pub(crate) fn set_unattended(db: &Path, key: &DataKey, sealed: Option<String>) -> Result<()> {
        Vault::update_or_create(db, key, |f, _| f.unattended = sealed)
    }

    /// The failed logins noted since the last login, with the login each tried (`None`: a login
    /// that does not exist), and how many more were only counted; the file forgets them.
    pub(crate) fn take_failures(db: &Path, logins: &[String]) -> Result<TakenFailures> {
        let mut taken = (Vec::new(), 0);
        Vault::update(db, |f| {
            let names: Vec<(String, &String)> =
                logins.iter().map(|l| (hex::encode(Sha256::digest(format!("{}\n{l}", f.login_salt))), l)).collect();
            for failure in f.failures.drain(..) {
                let login =
                    failure.slot.as_ref().and_then(|id| names.iter().find(|(h, _)| h == id)).map(|(_, l)| (*l).clone());
                taken.0.push((failure, login));
            }
            taken.1 = std::mem::take(&mut f.failures_dropped);
        })?;
        Ok(taken)
    }

    /// Changes the file under its lock (read again first, so two processes never lose each
    /// other's change), then replaces it atomically.
    fn update(db: &Path, change: impl FnOnce(&mut KeyFile)) -> Result<()> {
        let _lock = DbLock::exclusive(db)?;
        let mut vault = Vault::load(db)?.ok_or_else(|| StoreError::NoKeyFile(keys_path(db)))?;
        change(&mut vault.file);
        vault.save()
    }

    /// [`Vault::update`], creating the file for `key` if there is none yet (a database whose key
    /// file was lost, opened with the recovery key). Refuses a file for another key.
    fn update_or_create(
        db: &Path,
        key: &DataKey,
        change: impl FnOnce(&mut KeyFile, &dyn Fn(&str) -> String),
    ) -> Result<()> {
        let _lock = DbLock::exclusive(db)?;
        let mut vault = match Vault::load(db)? {
            Some(v) if v.fits(key) => v,
            Some(v) => return Err(StoreError::KeyFileDamaged(v.path)),
            None => Vault::new(db, key),
        };
        let salt = vault.file.login_salt.clone();
        let id_of = move |login: &str| hex::encode(Sha256::digest(format!("{salt}\n{}", login.trim())));
        change(&mut vault.file, &id_of);
        vault.save()
    }

    /// Writes the file: a temporary copy, synced, renamed over the old one.
    pub(crate) fn save(&self) -> Result<()> {
        let text = serde_json::to_vec_pretty(&self.file)?;
        write_atomically(&self.path, &text)
    }

    /// Adds a slot for a user of a database that predates encryption, from their argon2 PHC
    /// string: the slot's key is derived with the same salt and parameters, so the password they
    /// have opens it; it is rewrapped with the current parameters when they first log in.
    pub(crate) fn add_legacy_slot(&mut self, key: &DataKey, login: &str, phc: &str, enabled: bool) -> bool {
        use argon2::password_hash::phc::PasswordHash;
        let Ok(hash) = PasswordHash::new(phc) else { return false };
        let (Some(salt), Some(output)) = (hash.salt, hash.hash) else { return false };
        let Ok(params) = argon2::Params::try_from(&hash) else { return false };
        if hash.algorithm.as_str() != "argon2id" || output.as_bytes().len() != 32 {
            return false;
        }
        let mut derived = Zeroizing::new([0u8; 32]);
        derived.copy_from_slice(output.as_bytes());
        let (seal_key, check) = slot_keys(&derived);
        let id = self.slot_id(login);
        let sealed = enabled.then(|| hex::encode(crypt::seal(&seal_key, key.bytes(), &seal_context(&id))));
        let kdf = Kdf { m: params.m_cost(), t: params.t_cost(), p: params.p_cost(), salt: hex::encode(salt.as_ref()) };
        self.file.slots.retain(|s| s.id != id);
        self.file.slots.push(Slot { id, kdf, check, sealed, failed: 0, locked_until: None });
        true
    }

    pub(crate) fn set_desk_field(&mut self, desk: PublicDesk) {
        self.file.desk = Some(desk);
    }

    pub(crate) fn set_demo_field(&mut self, accounts: Vec<DemoAccount>) {
        self.file.demo_accounts = accounts;
    }

    /// Writes the file under another name (the pending key file of an encryption under way).
    pub(crate) fn save_to(&self, path: &Path) -> Result<()> {
        write_atomically(path, &serde_json::to_vec_pretty(&self.file)?)
    }
}

/// A slot's password-derived keys, made before the file is locked.
struct FreshSlot {
    kdf: Kdf,
    seal_key: Zeroizing<[u8; 32]>,
    check: String,
}

impl FreshSlot {
    fn new(password: &str) -> Result<FreshSlot> {
        let kdf = Kdf::fresh();
        let derived = kdf.derive(password)?;
        let (seal_key, check) = slot_keys(&derived);
        Ok(FreshSlot { kdf, seal_key, check })
    }

    fn put(self, f: &mut KeyFile, key: &DataKey, id: String, enabled: bool) {
        let sealed = enabled.then(|| hex::encode(crypt::seal(&self.seal_key, key.bytes(), &seal_context(&id))));
        f.slots.retain(|s| s.id != id);
        f.slots.push(Slot { id, kdf: self.kdf, check: self.check, sealed, failed: 0, locked_until: None });
    }
}

/// Whole minutes left until `until`, at least one.
fn minutes_until(now: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
    let secs = (until - now).num_seconds().max(1);
    (secs + 59) / 60
}

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one: a
/// temporary file beside it, synced, then renamed over it, then the folder synced.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("{}.tmp", path.extension().map(|e| e.to_string_lossy()).unwrap_or_default()));
    {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    sync_dir(path);
    Ok(())
}

/// Makes a rename in `path`'s folder durable (a no-op where folders cannot be synced).
pub(crate) fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// An exclusive lock on `desk.lock` beside the database, held while the key file changes and
/// while a plain database is encrypted; the operating system lifts it if the process dies.
pub(crate) struct DbLock(fs::File);

impl DbLock {
    pub(crate) fn exclusive(db: &Path) -> Result<DbLock> {
        let path = sibling(db, "lock");
        let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
        file.lock()?;
        Ok(DbLock(file))
    }
}

impl Drop for DbLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_opens_with_its_password_only_and_the_file_names_no_login() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.db");
        let key = DataKey::random();
        Vault::set_password(&db, &key, "zhangmin", "窗口密码2026", true).unwrap();
        let now = Utc::now();
        let (opened, stale) = Vault::unlock(&db, "zhangmin", "窗口密码2026", now).unwrap();
        assert!(opened == key && !stale);
        assert_eq!(Vault::unlock(&db, "zhangmin", "wrong-pass", now).unwrap_err().code(), "bad_login");
        assert_eq!(Vault::unlock(&db, "nobody", "窗口密码2026", now).unwrap_err().code(), "bad_login");
        let text = fs::read_to_string(keys_path(&db)).unwrap();
        assert!(!text.contains("zhangmin"), "{text}");
        assert!(!text.contains(&hex::encode(key.bytes())));
        let (failures, dropped) = Vault::take_failures(&db, &["zhangmin".to_string()]).unwrap();
        assert_eq!(failures.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>(), [Some("zhangmin".into()), None]);
        assert_eq!(dropped, 0);
        assert!(Vault::take_failures(&db, &[]).unwrap().0.is_empty(), "taken once");
    }

    #[test]
    fn a_disabled_slot_knows_the_password_but_opens_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.db");
        let key = DataKey::random();
        Vault::set_password(&db, &key, "li", "督查密码2026", true).unwrap();
        Vault::disable(&db, &key, "li").unwrap();
        let now = Utc::now();
        assert_eq!(Vault::unlock(&db, "li", "督查密码2026", now).unwrap_err().code(), "user_disabled");
        assert_eq!(Vault::unlock(&db, "li", "wrong-pass", now).unwrap_err().code(), "bad_login");
    }

    #[test]
    fn a_key_file_for_another_key_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.db");
        Vault::set_password(&db, &DataKey::random(), "a", "12345678", true).unwrap();
        let before = fs::read(keys_path(&db)).unwrap();
        let err = Vault::set_password(&db, &DataKey::random(), "b", "12345678", true).unwrap_err();
        assert_eq!(err.code(), "key_file_damaged");
        assert_eq!(fs::read(keys_path(&db)).unwrap(), before);
    }
}
