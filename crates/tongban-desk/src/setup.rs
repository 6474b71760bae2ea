//! The first run: a desk without a database shows the setup screen, which names the desk
//! (region, hall, window, desk code), the hall's printed texts and the first admin, and creates
//! the encrypted database with all of it at once.

use tongban_core::region;
use tongban_store::{DeskSetup, HallTexts, User, MIN_PASSWORD_CHARS};

use crate::api::{DeskInfo, DeskSetupForm, RegionChoice, RestoreForm, RestoreOutcome, SetupDefaults};
use crate::session::same_twice;
use crate::{AppError, Desk};
use tongban_core::code::DeskCode;

impl Desk {
    /// Regions whose code, name or full name starts with `query`, with full names, for the
    /// region type-ahead (the first-run screen, the partners' dialog).
    pub fn regions(query: &str) -> Vec<RegionChoice> {
        region::search(query, 30)
            .into_iter()
            .map(|r| RegionChoice { code: r.code.to_string(), name: region::display_name(r.code) })
            .collect()
    }

    pub fn setup_defaults() -> SetupDefaults {
        SetupDefaults {
            office_hours: HallTexts::defaults("").office_hours,
            min_password_chars: MIN_PASSWORD_CHARS as u32,
        }
    }

    /// Sets the desk up from the first-run screen: identity, the hall's printed texts and the
    /// first admin, all checked first and written together, in a new encrypted database. Nobody
    /// is logged in afterwards; the recovery key is shown next (once), then the login screen.
    pub fn set_up(&self, form: &DeskSetupForm) -> Result<DeskInfo, AppError> {
        same_twice(&form.password, &form.password_again, "password_again")?;
        let setup = DeskSetup {
            region: form.region.trim().to_string(),
            hall: form.hall.clone(),
            window_name: form.window_name.clone(),
            desk_code: form.desk_code.trim().to_string(),
            first_user: User {
                login: form.admin_login.clone(),
                display_name: form.admin_name.clone(),
                role: "admin".into(),
            },
        };
        let texts = [
            ("hall.address", form.address.as_str()),
            ("hall.phone", form.phone.as_str()),
            ("hall.office_hours", form.office_hours.as_str()),
        ];
        // An empty text keeps its default (the form's blanks print as blanks).
        let texts: Vec<(&str, &str)> = texts.into_iter().filter(|(_, v)| !v.trim().is_empty()).collect();
        let mut slot = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Err(tongban_store::StoreError::AlreadyInitialized(self.path.display().to_string()).into());
        }
        let store = crate::create_desk(&self.path, &setup, &form.password, &texts).map_err(setup_error)?;
        *slot = Some(store);
        drop(slot);
        self.info()
    }
}

impl Desk {
    /// 从备份恢复 on a PC with no desk yet (the first-run screen): the backup is checked whole with
    /// an admin's password as of the backup, or the recovery key, before anything is written
    /// here; then the login screen. A desk already here is never replaced from the window (the
    /// CLI's `restore --replace` keeps it aside).
    pub fn restore_here(&self, form: &RestoreForm) -> Result<RestoreOutcome, AppError> {
        let from = form.from.trim();
        if from.is_empty() {
            return Err(AppError {
                field: Some("from".into()),
                ..AppError::new(
                    DeskCode::InvalidInput,
                    "请填写备份文件夹（U 盘或共享文件夹中的 tongban-backup-… 文件夹）",
                )
            });
        }
        let login = form.login.trim();
        let key = if login.is_empty() {
            if form.recovery_key.trim().is_empty() {
                return Err(AppError {
                    field: Some("recovery_key".into()),
                    ..AppError::new(DeskCode::InvalidInput, "请填写管理员登录名和密码，或填写恢复密钥")
                });
            }
            tongban_store::RestoreKey::RecoveryKey(&form.recovery_key)
        } else {
            tongban_store::RestoreKey::Login { login, password: &form.password }
        };
        let slot = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Err(tongban_store::StoreError::AlreadyInitialized(self.path.display().to_string()).into());
        }
        let restored =
            tongban_store::restore(std::path::Path::new(from), &self.path, key, false, chrono::Utc::now(), |_| {})?;
        Ok(RestoreOutcome { message: restored.summary() })
    }
}

/// The store names the first user's fields `login`, `display_name`, `password`; the setup
/// screen calls them `admin_login`, `admin_name`, `password`.
fn setup_error(e: AppError) -> AppError {
    let field = e.field.as_deref().map(|f| match f {
        "login" => "admin_login".to_string(),
        "display_name" => "admin_name".to_string(),
        "hall.address" => "address".to_string(),
        "hall.phone" => "phone".to_string(),
        "hall.office_hours" => "office_hours".to_string(),
        other => other.to_string(),
    });
    AppError { field, ..e }
}
