//! The hubs' seals: the key each hub seals its events with, as this desk pinned it, and the seal
//! each pulled event came with (see [`tongban_core::seal`]).
//!
//! A key is pinned the first time a hub presents it (as ssh does), or by an admin who entered it
//! from the partner's letter; from then on a pulled event without a seal by that key is never
//! applied, on any path (a page, the retry of held events, a release from quarantine): it stays
//! quarantined (`unsigned`, `bad_signature`). The seal is kept with the event, so the case's
//! history can check it again at any time without the hub ([`Store::seal_check`]).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use tongban_core::case::CaseEvent;
use tongban_core::code::{AppCode, DeskCode};
use tongban_core::seal::{HubKey, SealError};
use tongban_core::validate::ValidationError;

use crate::{Result, Store, StoreError};

/// Step 9: pinned keys, and seals kept with events and with events held in quarantine.
pub(crate) const SCHEMA_V9: &str = "
ALTER TABLE hubs ADD COLUMN signing_key TEXT;                -- 64 hex digits, Ed25519
ALTER TABLE hubs ADD COLUMN signing_key_pinned_at TEXT;
ALTER TABLE hubs ADD COLUMN signing_key_by_admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN seal_region TEXT;              -- the hub that sealed a pulled event
ALTER TABLE events ADD COLUMN seal_key TEXT;
ALTER TABLE events ADD COLUMN seal TEXT;
ALTER TABLE quarantine ADD COLUMN seal TEXT;
";

/// A hub's key as this desk holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PinnedKey {
    /// 64 hex digits.
    pub key: String,
    /// Eight groups of four hex digits, for people to compare.
    pub fingerprint: String,
    pub pinned_at: DateTime<Utc>,
    /// Entered by an admin (from the partner's letter or phone call) rather than taken on first
    /// contact.
    pub by_admin: bool,
}

/// The seal a pulled event was applied with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    /// The region of the hub that sealed it.
    pub region: String,
    pub key: String,
    pub signature: String,
}

/// What checking an event's seal again says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealCheck {
    /// Sealed by the key pinned for the hub of this region.
    Verified { region: String },
    /// The seal holds for a key this desk no longer pins for that region (an admin trusted a new
    /// one since): it was sealed by the key of its day.
    VerifiedByEarlierKey { region: String },
    /// The event as stored here is not what the hub sealed: the database was changed.
    Broken { region: String, reason: String },
}

/// A pulled event the hub of `region` sent, and its seal if it came with one.
pub(crate) fn check(
    tx: &Transaction<'_>,
    region: &str,
    event: &CaseEvent,
    signature: Option<&str>,
) -> Result<std::result::Result<(), (AppCode, String)>> {
    let Some(key) = pinned(tx, region)? else { return Ok(Ok(())) };
    let Some(signature) = signature else {
        return Ok(Err((
            DeskCode::Unsigned.into(),
            "通办中心未对该事件签名：本机已登记该通办中心的签名公钥，未签名的事件不予采用。请告知该通办中心的管理员"
                .into(),
        )));
    };
    Ok(key.verify(region, event, signature).map_err(|e| {
        let what = match e {
            SealError::Mismatch => "签名与内容不符：该事件在通办中心签发后被改动过，或不是由该通办中心签发，不予采用",
            _ => "签名格式不正确，不予采用",
        };
        (DeskCode::BadSignature.into(), format!("{what}（登记的签名公钥指纹 {}）", key.fingerprint()))
    }))
}

/// Keeps the seal an applied event came with. A copy of it held earlier for a broken seal (changed
/// on the way) is done with: the true one is here.
pub(crate) fn record(tx: &Transaction<'_>, region: &str, event: &CaseEvent, signature: Option<&str>) -> Result<()> {
    tx.execute(
        "DELETE FROM quarantine WHERE event_id = ?1 AND direction = 'incoming' AND code IN ('unsigned', 'bad_signature')",
        [event.id.to_string()],
    )?;
    let Some(signature) = signature else { return Ok(()) };
    let Some(key) = pinned(tx, region)? else { return Ok(()) };
    tx.execute(
        "UPDATE events SET seal_region = ?2, seal_key = ?3, seal = ?4 WHERE id = ?1",
        params![event.id.to_string(), region, key.to_hex(), signature],
    )?;
    Ok(())
}

/// The key pinned for the hub of `region`, if any.
fn pinned(tx: &rusqlite::Connection, region: &str) -> Result<Option<HubKey>> {
    // Asked once per pulled event, so a cached statement (the key is parsed per event too).
    let key: Option<String> = tx
        .prepare_cached("SELECT signing_key FROM hubs WHERE region = ?1")?
        .query_row([region], |r| r.get(0))
        .optional()?
        .flatten();
    key.map(|k| HubKey::parse(&k).map_err(|e| StoreError::Corrupt(format!("合作地区 {region} 的签名公钥：{e}"))))
        .transpose()
}

/// Whether these codes say a held event's seal failed: such an event is never released as it is;
/// it comes again, sealed, once an admin trusts the hub's new key, or is given up.
pub fn is_seal_refusal(code: &str) -> bool {
    matches!(code, "unsigned" | "bad_signature")
}

impl Store {
    /// Pins the key a hub presented, the first time it presents one. The same key again changes
    /// nothing; another key is refused (`signing_key_changed`) and the pinned one kept.
    pub fn pin_hub_key(&mut self, region: &str, key: &str, now: DateTime<Utc>) -> Result<PinnedKey> {
        let presented = parse_key(key)?;
        let tx = crate::write(&mut self.conn)?;
        match self::pinned_entry(&tx, region)? {
            Some(pinned) if pinned.key == presented.to_hex() => Ok(pinned),
            Some(pinned) => Err(StoreError::SigningKeyChanged {
                region: region.to_string(),
                pinned: pinned.fingerprint,
                presented: presented.fingerprint(),
            }),
            None => {
                let n = tx.execute(
                    "UPDATE hubs SET signing_key = ?2, signing_key_pinned_at = ?3, signing_key_by_admin = 0
                     WHERE region = ?1",
                    params![region, presented.to_hex(), now.to_rfc3339()],
                )?;
                if n == 0 {
                    return Err(StoreError::UnknownHub(region.to_string()));
                }
                tx.commit()?;
                Ok(PinnedKey {
                    key: presented.to_hex(),
                    fingerprint: presented.fingerprint(),
                    pinned_at: now,
                    by_admin: false,
                })
            }
        }
    }

    /// An admin's word for a hub's key: set when adding the partner from its letter, or a new key
    /// after the partner changed it (checked by its fingerprint on the phone). A key other than the
    /// one pinned means events were refused under the old one: the pull starts over from the
    /// beginning (applying again is a no-op) and the events held for their seal are tried again.
    pub fn trust_hub_key(&mut self, region: &str, key: &str, now: DateTime<Utc>) -> Result<PinnedKey> {
        let trusted = parse_key(key)?;
        let tx = crate::write(&mut self.conn)?;
        let before = self::pinned_entry(&tx, region)?;
        let n = tx.execute(
            "UPDATE hubs SET signing_key = ?2, signing_key_pinned_at = ?3, signing_key_by_admin = 1 WHERE region = ?1",
            params![region, trusted.to_hex(), now.to_rfc3339()],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownHub(region.to_string()));
        }
        if before.is_some_and(|b| b.key != trusted.to_hex()) {
            crate::sync::forget_hub_progress(&tx, region)?;
            tx.execute(
                "DELETE FROM quarantine WHERE hub_region = ?1 AND direction = 'incoming'
                 AND code IN ('unsigned', 'bad_signature')",
                [region],
            )?;
        }
        tx.commit()?;
        Ok(PinnedKey { key: trusted.to_hex(), fingerprint: trusted.fingerprint(), pinned_at: now, by_admin: true })
    }

    /// [`Store::add_hub_with`] with the hub's key from the partner's letter, when given: a key
    /// that does not read is refused before anything is saved, then the hub is added and its
    /// key trusted as an admin's word.
    pub fn add_hub_trusting(
        &mut self,
        setup: &crate::HubSetup,
        transport: &crate::HubTransport,
        signing_key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<crate::HubEntry> {
        let signing_key = signing_key.map(str::trim).filter(|k| !k.is_empty());
        if let Some(key) = signing_key {
            parse_key(key)?;
        }
        let entry = self.add_hub_with(setup, transport, now)?;
        if let Some(key) = signing_key {
            self.trust_hub_key(&entry.region, key, now)?;
        }
        Ok(entry)
    }

    /// The key pinned for the hub of `region`, if any.
    pub fn pinned_key(&self, region: &str) -> Result<Option<PinnedKey>> {
        pinned_entry(&self.conn, region)
    }

    /// Checks again, against the keys pinned now, the seal `event` was applied with.
    pub fn seal_check(&self, event: &CaseEvent, seal: &Seal) -> Result<SealCheck> {
        let region = seal.region.clone();
        let Ok(key) = HubKey::parse(&seal.key) else {
            return Ok(SealCheck::Broken { region, reason: "保存的签名公钥已损坏".into() });
        };
        if let Err(e) = key.verify(&seal.region, event, &seal.signature) {
            return Ok(SealCheck::Broken { region, reason: e.to_string() });
        }
        let current = self.pinned_key(&seal.region)?;
        Ok(if current.is_some_and(|c| c.key == seal.key) {
            SealCheck::Verified { region }
        } else {
            SealCheck::VerifiedByEarlierKey { region }
        })
    }
}

fn pinned_entry(conn: &rusqlite::Connection, region: &str) -> Result<Option<PinnedKey>> {
    let row: Option<(Option<String>, Option<String>, bool)> = conn
        .query_row(
            "SELECT signing_key, signing_key_pinned_at, signing_key_by_admin FROM hubs WHERE region = ?1",
            [region],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((Some(key), pinned_at, by_admin)) = row else { return Ok(None) };
    let parsed = HubKey::parse(&key).map_err(|e| StoreError::Corrupt(format!("合作地区 {region} 的签名公钥：{e}")))?;
    Ok(Some(PinnedKey {
        key,
        fingerprint: parsed.fingerprint(),
        pinned_at: pinned_at.as_deref().map(crate::desk::parse_time).transpose()?.unwrap_or_default(),
        by_admin,
    }))
}

fn parse_key(key: &str) -> Result<HubKey> {
    HubKey::parse(key).map_err(|e| ValidationError::new(e.to_string()).at("signing_key", "签名公钥").into())
}
