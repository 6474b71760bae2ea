//! Unattended sync: `tongban sync` with nobody to log in (a service on the hall's PC). Only when
//! an admin turns it on: the data key is then sealed a second time, by a random secret kept in the
//! operating system's own store for this user on this machine — Windows' Credential Manager
//! (protected by DPAPI), or the Linux kernel's keyutils keyring (in memory: it lasts until a
//! reboot, after which an admin turns it on again). The trade-off, in ARCHITECTURE.md: whoever
//! can run programs as this user on this machine can open the desk without a password, so it is
//! for a locked-down PC, and it is off by default. Copying the database, even with its key file,
//! to another machine does not take the secret along.

use std::path::Path;

use tongban_core::code::{DeskCode, HubCode};
use tongban_store::{AuditKind, Store, Vault};

use crate::session::Permission;
use crate::{AppError, Desk};

/// Where the machine-bound secret is kept, as the CLI tells the admin.
pub const STORE_NAME: &str = if cfg!(windows) {
    "Windows 凭据管理器，受 DPAPI 保护"
} else {
    "Linux 内核密钥环，重启后需重新开启"
};

const SERVICE: &str = "tongban-desk";

fn entry(desk_id: &str) -> Result<keyring::Entry, AppError> {
    keyring::Entry::new(SERVICE, &format!("unattended-sync-{desk_id}")).map_err(keyring_error)
}

fn keyring_error(e: keyring::Error) -> AppError {
    AppError::new(DeskCode::Keyring, format!("无法使用本机的密钥存储（{STORE_NAME}）：{e}"))
}

/// The desk at `path` opened with the machine-bound secret, if unattended sync is on; `None` if
/// it is off. On but unusable (the secret is gone, e.g. after a reboot on Linux) is an error that
/// says what to do.
pub fn open(path: &Path) -> Result<Option<Store>, AppError> {
    tongban_store::upgrade::recover(path)?;
    let Some(vault) = Vault::load(path)? else { return Ok(None) };
    let (Some(desk), true) = (vault.desk(), vault.unattended_on()) else { return Ok(None) };
    let secret = match entry(&desk.id)?.get_secret() {
        Ok(s) => s,
        Err(keyring::Error::NoEntry) => {
            return Err(AppError::new(
                DeskCode::UnattendedKeyMissing,
                format!(
                    "无人值守同步已开启，但本机密钥存储（{STORE_NAME}）中没有对应的密钥；请管理员运行 tongban unattended enable 重新开启"
                ),
            ))
        }
        Err(e) => return Err(keyring_error(e)),
    };
    let secret: [u8; 32] = secret.try_into().map_err(|_| {
        AppError::new(DeskCode::UnattendedKeyMissing, "本机密钥存储中的无人值守同步密钥已损坏，请管理员重新开启")
    })?;
    Ok(Some(Store::open_unattended(path, &secret)?))
}

impl Desk {
    /// Turns unattended sync on (a new machine-bound secret) or off (the seal and the secret
    /// deleted). Admins only; recorded in the audit log.
    pub fn set_unattended(&self, on: bool) -> Result<(), AppError> {
        self.require(Permission::Administer)?;
        let mut store = self.locked()?;
        let desk = store.require_desk()?;
        let entry = entry(&desk.id)?;
        if on {
            let mut secret = [0u8; 32];
            getrandom_fill(&mut secret)?;
            entry.set_secret(&secret).map_err(keyring_error)?;
            store.seal_unattended(Some(&secret))?;
            self.audit(&mut store, AuditKind::Settings, None, format!("开启无人值守同步（{STORE_NAME}）"))?;
        } else {
            store.seal_unattended(None)?;
            match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(keyring_error(e)),
            }
            self.audit(&mut store, AuditKind::Settings, None, "关闭无人值守同步")?;
        }
        Ok(())
    }

    pub fn unattended_enabled(&self) -> Result<bool, AppError> {
        Ok(Vault::load(self.locked()?.path())?.is_some_and(|v| v.unattended_on()))
    }
}

fn getrandom_fill(buf: &mut [u8]) -> Result<(), AppError> {
    getrandom::fill(buf).map_err(|e| AppError::new(HubCode::Internal, format!("无法取得随机数：{e}")))
}
