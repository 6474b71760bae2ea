//! Desk settings: the hall's own wording and contact details printed on the forms (hall name,
//! address, phone, office hours, the notice texts, the days given for 补正). Kept as key/value
//! rows; a key without a row has its default, so a new desk prints sensible forms at once and an
//! older database gains new keys without a migration.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use tongban_core::hall::HallTexts;
use tongban_core::offline::OfflineLimits;
use tongban_core::validate::ValidationError;

use crate::{Result, Store};

pub(crate) const SCHEMA_V2: &str = "
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,       -- e.g. hall.phone; see HallTexts::KEYS
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL           -- login of the user who set it
);
";

/// One setting as `tongban settings show` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    /// No row: the value is the default.
    pub is_default: bool,
}

/// The working days an applicant is given for 补正, inside a transaction (the clocks need it
/// while a case is written); a stored value this build refuses counts as the default, as on the
/// printed notice.
pub(crate) fn supplement_days_in(conn: &rusqlite::Connection) -> Result<u32> {
    let value: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = 'notice.supplement_days'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let mut texts = HallTexts::defaults("");
    if let Some(value) = value {
        let _ = texts.set("notice.supplement_days", &value);
    }
    Ok(texts.supplement_days)
}

/// The window's own settings, not printed: kept in the same table as the hall's texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowPrefs {
    /// Minutes without a key press or mouse move before the window locks itself.
    pub idle_lock_minutes: u32,
    /// The demo desk `tongban demo` made: the login screen shows the demo accounts.
    pub demo: bool,
}

pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 10;

impl WindowPrefs {
    pub const KEYS: [(&'static str, &'static str); 2] =
        [("window.idle_lock_minutes", "空闲锁屏（分钟）"), ("desk.demo", "演示受理台（1 为是）")];

    fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "window.idle_lock_minutes" => self.idle_lock_minutes.to_string(),
            "desk.demo" => u8::from(self.demo).to_string(),
            _ => return None,
        })
    }

    fn set(&mut self, key: &str, value: &str) -> std::result::Result<(), ValidationError> {
        let value = value.trim();
        match key {
            "window.idle_lock_minutes" => {
                self.idle_lock_minutes =
                    value.parse::<u32>().ok().filter(|m| (1..=240).contains(m)).ok_or_else(|| {
                        ValidationError::new(format!("「{value}」无效，应为1至240之间的整数（分钟）"))
                    })?;
            }
            "desk.demo" => {
                self.demo = match value {
                    "1" => true,
                    "0" => false,
                    _ => return Err(ValidationError::new(format!("「{value}」无效，应为 1 或 0"))),
                }
            }
            _ => return Err(unknown_key(key)),
        }
        Ok(())
    }
}

impl Default for WindowPrefs {
    fn default() -> WindowPrefs {
        WindowPrefs { idle_lock_minutes: DEFAULT_IDLE_LOCK_MINUTES, demo: false }
    }
}

/// The offline guardrail's limits (`tongban_core::offline`): days without a successful sync
/// with a partner before the window warns, and before it takes in nothing more for that partner.
pub const OFFLINE_KEYS: [(&str, &str); 2] =
    [("sync.warn_days", "离线提醒（未同步天数）"), ("sync.refuse_days", "离线停止收件（未同步天数）")];

fn offline_get(limits: &OfflineLimits, key: &str) -> Option<String> {
    match key {
        "sync.warn_days" => Some(limits.warn_days.to_string()),
        "sync.refuse_days" => Some(limits.refuse_days.to_string()),
        _ => None,
    }
}

fn offline_set(limits: &mut OfflineLimits, key: &str, value: &str) -> std::result::Result<(), ValidationError> {
    let value = value.trim();
    let (slot, max) = match key {
        "sync.warn_days" => (&mut limits.warn_days, 180),
        "sync.refuse_days" => (&mut limits.refuse_days, 365),
        _ => return Err(unknown_key(key)),
    };
    *slot = value
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=max).contains(d))
        .ok_or_else(|| ValidationError::new(format!("「{value}」无效，应为1至{max}之间的整数（天）")))?;
    Ok(())
}

/// Checks `value` for `key` (a hall text, a window setting or an offline limit) by setting it on
/// `texts` (the others are checked on a scratch copy). The error names the setting.
pub(crate) fn check_setting(texts: &mut HallTexts, key: &str, value: &str) -> Result<()> {
    let checked = if WindowPrefs::KEYS.iter().any(|(k, _)| *k == key) {
        WindowPrefs::default().set(key, value)
    } else if crate::BackupPrefs::KEYS.iter().any(|(k, _)| *k == key) {
        crate::BackupPrefs::default().set(key, value)
    } else if OFFLINE_KEYS.iter().any(|(k, _)| *k == key) {
        offline_set(&mut OfflineLimits::default(), key, value)
    } else {
        texts.set(key, value).unwrap_or_else(|| Err(unknown_key(key)))
    };
    checked.map_err(|e| e.at(key, label_of(key)).into())
}

/// Writes one checked setting (after [`check_setting`]) as `user`.
pub(crate) fn store_setting(
    conn: &rusqlite::Connection,
    texts: &HallTexts,
    key: &str,
    value: &str,
    user: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let value = texts.get(key).unwrap_or_else(|| value.trim().to_string());
    conn.execute(
        "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by",
        params![key, value, now.to_rfc3339(), user],
    )?;
    Ok(())
}

fn all_keys() -> impl Iterator<Item = (&'static str, &'static str)> {
    HallTexts::KEYS.into_iter().chain(WindowPrefs::KEYS).chain(crate::BackupPrefs::KEYS).chain(OFFLINE_KEYS)
}

fn unknown_key(key: &str) -> ValidationError {
    let keys: Vec<&str> = all_keys().map(|(k, _)| k).collect();
    ValidationError::new(format!("没有设置项「{key}」，可设置：{}", keys.join("、")))
}

fn label_of(key: &str) -> &'static str {
    all_keys().find(|(k, _)| *k == key).map(|(_, l)| l).unwrap_or("设置项")
}

impl Store {
    /// The defaults: the hall's name from the desk identity (or a generic one before `init`).
    fn default_hall_texts(&self) -> Result<HallTexts> {
        let hall = self.desk()?.map(|d| d.hall).unwrap_or_else(|| "政务服务中心".to_string());
        Ok(HallTexts::defaults(&hall))
    }

    /// The hall's texts: every stored setting over the defaults.
    pub fn hall_texts(&self) -> Result<HallTexts> {
        let mut texts = self.default_hall_texts()?;
        let mut stmt = self.conn.prepare_cached("SELECT key, value FROM settings")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (key, value) = row?;
            // A key this build does not know (written by a newer one) or a value it refuses is
            // skipped: the default prints instead of the form failing.
            let _ = texts.set(&key, &value);
        }
        Ok(texts)
    }

    /// The window's settings: every stored one over the defaults.
    pub fn window_prefs(&self) -> Result<WindowPrefs> {
        let mut prefs = WindowPrefs::default();
        for (key, _) in WindowPrefs::KEYS {
            let value: Option<String> =
                self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
            // A refused stored value keeps the default, as for the hall's texts.
            if let Some(value) = value {
                let _ = prefs.set(key, &value);
            }
        }
        Ok(prefs)
    }

    /// The offline guardrail's limits: every stored one over the defaults (3 and 14 days).
    pub fn offline_limits(&self) -> Result<OfflineLimits> {
        let mut limits = OfflineLimits::default();
        let mut stmt = self.conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?;
        for (key, _) in OFFLINE_KEYS {
            let value: Option<String> = stmt.query_row([key], |r| r.get(0)).optional()?;
            // A refused stored value keeps the default, as for the hall's texts.
            if let Some(value) = value {
                let _ = offline_set(&mut limits, key, &value);
            }
        }
        Ok(limits)
    }

    /// Every setting with its label and whether it still has its default.
    pub fn settings(&self) -> Result<Vec<Setting>> {
        let texts = self.hall_texts()?;
        let prefs = self.window_prefs()?;
        let backup = self.backup_prefs()?;
        let limits = self.offline_limits()?;
        let mut stmt = self.conn.prepare_cached("SELECT 1 FROM settings WHERE key = ?1")?;
        let mut out = Vec::new();
        for (key, label) in all_keys() {
            let stored = stmt.exists([key])?;
            let value = texts
                .get(key)
                .or_else(|| prefs.get(key))
                .or_else(|| backup.get(key))
                .or_else(|| offline_get(&limits, key))
                .unwrap_or_default();
            out.push(Setting { key, label, value, is_default: !stored });
        }
        Ok(out)
    }

    /// Sets one setting, checked first; an empty value restores the default. Returns the hall
    /// texts as they now are.
    pub fn set_setting(&mut self, key: &str, value: &str, user: &str, now: DateTime<Utc>) -> Result<HallTexts> {
        let key = key.trim();
        let mut texts = self.hall_texts()?;
        if value.trim().is_empty() {
            if texts.get(key).is_none()
                && WindowPrefs::default().get(key).is_none()
                && crate::BackupPrefs::default().get(key).is_none()
                && offline_get(&OfflineLimits::default(), key).is_none()
            {
                return Err(unknown_key(key).at("key", "设置项").into());
            }
            self.conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
            return self.hall_texts();
        }
        check_setting(&mut texts, key, value)?;
        if OFFLINE_KEYS.iter().any(|(k, _)| *k == key) {
            // The warning comes before the refusal, or it would never be seen.
            let mut limits = self.offline_limits()?;
            offline_set(&mut limits, key, value).map_err(|e| e.at(key, label_of(key)))?;
            if limits.warn_days >= limits.refuse_days {
                let message = format!(
                    "离线提醒天数（{}）须小于停止收件天数（{}），否则停止收件前不会有提醒",
                    limits.warn_days, limits.refuse_days
                );
                return Err(ValidationError::new(message).at(key, label_of(key)).into());
            }
        }
        self.user(user)?;
        store_setting(&self.conn, &texts, key, value, user, now)?;
        Ok(texts)
    }
}

/// The folder a scanner writes its files to: a setting of this desk (not printed), kept in the
/// same table under its own key, which the hall texts skip.
pub const SCANNER_FOLDER: &str = "scanner.folder";

impl Store {
    /// The scanner's output folder, if one was set.
    pub fn scanner_folder(&self) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?;
        let mut rows = stmt.query([SCANNER_FOLDER])?;
        Ok(match rows.next()? {
            Some(row) => Some(row.get(0)?),
            None => None,
        })
    }

    /// Sets the scanner's output folder (the caller checks it exists); empty clears it.
    pub fn set_scanner_folder(&mut self, folder: &str, user: &str, now: DateTime<Utc>) -> Result<()> {
        let folder = folder.trim();
        if folder.is_empty() {
            self.conn.execute("DELETE FROM settings WHERE key = ?1", [SCANNER_FOLDER])?;
            return Ok(());
        }
        self.user(user)?;
        self.conn.execute(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
                 updated_by = excluded.updated_by",
            params![SCANNER_FOLDER, folder, now.to_rfc3339(), user],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;
    use tongban_core::hall::DEFAULT_SUPPLEMENT_DAYS;

    #[test]
    fn the_scanner_folder_is_kept_beside_the_hall_texts_without_changing_them() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        assert_eq!(store.scanner_folder().unwrap(), None);
        store.set_scanner_folder(" /srv/scans ", "zhang", Utc::now()).unwrap();
        assert_eq!(store.scanner_folder().unwrap().as_deref(), Some("/srv/scans"));
        assert_eq!(store.hall_texts().unwrap(), HallTexts::defaults("新野县政务服务中心"));
        assert!(store.settings().unwrap().iter().all(|s| s.is_default));
        assert_eq!(store.set_scanner_folder("/x", "nobody", Utc::now()).unwrap_err().code(), "unknown_user");
        store.set_scanner_folder("", "zhang", Utc::now()).unwrap();
        assert_eq!(store.scanner_folder().unwrap(), None);
    }

    #[test]
    fn a_new_desk_has_defaults_with_its_own_hall_name() {
        let (_d, mut store) = temp_store();
        assert_eq!(store.hall_texts().unwrap().hall_name, "政务服务中心");
        crate::events::tests::setup(&mut store);
        let texts = store.hall_texts().unwrap();
        assert_eq!(texts, HallTexts::defaults("新野县政务服务中心"));
        assert!(store.settings().unwrap().iter().all(|s| s.is_default));
        let keys =
            HallTexts::KEYS.len() + WindowPrefs::KEYS.len() + crate::BackupPrefs::KEYS.len() + OFFLINE_KEYS.len();
        assert_eq!(store.settings().unwrap().len(), keys);
    }

    #[test]
    fn a_setting_is_stored_checked_and_reset_by_an_empty_value() {
        let (dir, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let now = Utc::now();
        store.set_setting("hall.phone", " 0377-66012345 ", "zhang", now).unwrap();
        store.set_setting("notice.supplement_days", "15", "zhang", now).unwrap();
        let key = store.data_key().clone();
        drop(store);
        let mut store = Store::open(&dir.path().join("desk.db"), &key).unwrap();
        let texts = store.hall_texts().unwrap();
        assert_eq!((texts.phone.as_str(), texts.supplement_days), ("0377-66012345", 15));
        let listed = store.settings().unwrap();
        let phone = listed.iter().find(|s| s.key == "hall.phone").unwrap();
        assert!(!phone.is_default && phone.label == "咨询电话");

        let err = store.set_setting("notice.supplement_days", "0", "zhang", now).unwrap_err();
        assert_eq!(err.to_string(), "补正期限（工作日）：「0」无效，应为1至60之间的整数（工作日）");
        let err = store.set_setting("hall.fax", "1", "zhang", now).unwrap_err();
        assert!(err.to_string().starts_with("设置项：没有设置项「hall.fax」"), "{err}");
        assert_eq!(store.set_setting("hall.phone", "x", "nobody", now).unwrap_err().code(), "unknown_user");
        assert_eq!(store.hall_texts().unwrap().supplement_days, 15, "a refused value changes nothing");

        store.set_setting("notice.supplement_days", "", "zhang", now).unwrap();
        assert_eq!(store.hall_texts().unwrap().supplement_days, DEFAULT_SUPPLEMENT_DAYS);
    }
}
