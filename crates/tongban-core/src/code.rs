//! The stable, machine-readable codes of every error: the hub's ([`HubCode`], the wire's
//! `ErrorCode`), the desk's own ([`DeskCode`]), and [`AppCode`], either of them, which is what an
//! error that reaches the window or the CLI carries. Clients branch on these, never on the
//! message text; each serialises as its stable name (`"invalid_input"`), and the window's
//! TypeScript type is the union of those names (`DeskCode | HubCode`).
//!
//! A desk-side failure that means what a hub's code means (an unknown case, an event that does
//! not fit the case's status) carries the hub's code: one name, one value, so no name is in both
//! lists (tested).

use std::fmt;

/// An enum of codes, each variant with its stable name: the serde name and [`as_str`] from one
/// list, and `ALL`.
macro_rules! codes {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        // Each name is its variant's in snake case: said once more for utoipa, which does not
        // read a variant's rename when a macro wrote it (the served schema is tested).
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            /// Every code, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable name, as serialised.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

codes! {
    /// A stable, machine-readable reason. Clients branch on this, never on the message text.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ErrorCode))]
    pub enum HubCode {
        /// The request is malformed: bad JSON, a bad query string or path parameter, a missing header.
        BadRequest = "bad_request",
        /// The JSON is well-formed but not of the expected shape.
        InvalidBody = "invalid_body",
        /// No credential, or one that is unknown or revoked.
        Unauthorized = "unauthorized",
        /// The credential's role or region may not do this.
        Forbidden = "forbidden",
        /// No such route.
        NotFound = "not_found",
        /// The route exists but not with this method.
        MethodNotAllowed = "method_not_allowed",
        /// The body is larger than the hub accepts.
        PayloadTooLarge = "payload_too_large",
        /// The body is not `application/json` where JSON is expected.
        UnsupportedMediaType = "unsupported_media_type",
        /// More events in one push than the hub accepts; split the batch.
        BatchTooLarge = "batch_too_large",
        /// Too many requests from this credential (or address) in a short time; `Retry-After` says
        /// how long to wait.
        RateLimited = "rate_limited",
        /// No case with this id on the hub.
        UnknownCase = "unknown_case",
        /// No complete blob with this SHA-256 on the hub (or none the credential may read).
        UnknownBlob = "unknown_blob",
        /// The hub has not been given a catalog yet.
        NoCatalog = "no_catalog",
        /// An event with this id exists with different content.
        EventConflict = "event_conflict",
        /// The event does not fit the case's current status.
        InvalidTransition = "invalid_transition",
        /// The event kind belongs to the other side (受理地 / 办理地).
        WrongSide = "wrong_side",
        /// The event's author region is not the credential's region.
        WrongRegion = "wrong_region",
        /// The credential's region is neither the case's receiving nor its handling region, or the
        /// case is not addressed to this hub's region.
        NotParty = "not_party",
        /// The event kind stays on the desk that made it (e.g. 已推送).
        LocalEvent = "local_event",
        /// The event's content is incomplete (e.g. 不予受理 without a reason).
        InvalidEvent = "invalid_event",
        /// The event refers to a scan the hub does not have yet: upload the blob, then push again.
        MissingBlob = "missing_blob",
        /// A chunk's `Upload-Offset` is not where the upload stands; ask for the status and resume.
        OffsetMismatch = "offset_mismatch",
        /// Another upload of the same blob is under way.
        UploadInProgress = "upload_in_progress",
        /// The uploaded bytes do not hash to the SHA-256 named in the path; the partial was discarded.
        HashMismatch = "hash_mismatch",
        /// A catalog with this version exists with different content.
        CatalogVersionExists = "catalog_version_exists",
        /// The credential was revoked: the desk must be given a new one (its cases stay on it).
        CredentialRevoked = "credential_revoked",
        /// A desk credential issued before desk codes: the hub's admin must issue a new one naming
        /// the desk code.
        CredentialOutdated = "credential_outdated",
        /// The desk has not confirmed its identity under this credential yet (`PUT /v1/desk`).
        DeskUnconfirmed = "desk_unconfirmed",
        /// The desk's code is not the one the credential was issued for.
        DeskCodeMismatch = "desk_code_mismatch",
        /// Another desk confirmed this credential (its desk code) first.
        DeskCodeTaken = "desk_code_taken",
        /// The event names another desk as its author than the one the credential is bound to.
        WrongDesk = "wrong_desk",
        /// An intake's or 更正编号's 办件编号 is not of the credential's desk (region and desk code).
        NumberNotOwn = "number_not_own",
        /// The 办件编号 is held by another case.
        NumberTaken = "number_taken",
        /// A field of an intake fails the validators (`field` names it).
        InvalidIntake = "invalid_intake",
        /// An intake's item or materials differ from the catalog version it names.
        CatalogMismatch = "catalog_mismatch",
        /// A decision from a region that does not handle the case.
        NotHandlingRegion = "not_handling_region",
        /// A receiving-side event on a case another desk took in.
        NotOwnCase = "not_own_case",
        /// Another desk's decision on the case was admitted first: this one is not taken.
        Superseded = "superseded",
        /// The hub holds no calendar for this year.
        UnknownCalendarYear = "unknown_calendar_year",
        /// The hub holds this year's calendar with other content; a year never changes once published.
        CalendarYearExists = "calendar_year_exists",
        /// Something failed on the hub; retrying later may help.
        Internal = "internal",
        /// A code this client does not know yet (added by a newer hub).
        #[serde(other)]
        Other = "other",
    }
}

codes! {
    /// Why the desk (its store, forms, sync engine, catalog files, window or CLI) refused or
    /// failed, where no hub code says it.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum DeskCode {
        /// The database file failed (SQLite).
        Database = "database",
        /// The database or a page of it is damaged.
        DatabaseDamaged = "database_damaged",
        /// A file could not be read or written.
        Io = "io",
        /// The database was written by a newer version of the program.
        NewerSchema = "newer_schema",
        /// The file is not a desk database.
        NotADatabase = "not_a_database",
        /// The database is encrypted and was opened without its key.
        Encrypted = "encrypted",
        /// No database at the path given.
        NoDatabase = "no_database",
        /// A plain (unencrypted) database of before, where an encrypted one is needed.
        PlainDatabase = "plain_database",
        /// The key file (`<db>.keys`) is missing.
        NoKeyFile = "no_key_file",
        /// The key file is damaged.
        KeyFileDamaged = "key_file_damaged",
        /// The recovery key is wrong, or another desk's.
        BadRecoveryKey = "bad_recovery_key",
        /// A migration step failed.
        Migration = "migration",
        /// The desk has not been set up yet: the window shows the first-run set-up.
        DeskNotInitialized = "desk_not_initialized",
        /// The desk was set up already.
        DeskAlreadyInitialized = "desk_already_initialized",
        /// A desk exists where a restore or set-up would write one.
        DeskExists = "desk_exists",
        /// No such user.
        UnknownUser = "unknown_user",
        /// Wrong login or password.
        BadLogin = "bad_login",
        /// Too many failed logins: the login waits.
        LoginLocked = "login_locked",
        /// The user is disabled.
        UserDisabled = "user_disabled",
        /// The user has no password yet.
        NoPassword = "no_password",
        /// A password that does not meet the rules.
        Password = "password",
        /// Nobody is logged in.
        NotLoggedIn = "not_logged_in",
        /// The window is locked: only unlock works.
        SessionLocked = "session_locked",
        /// The user's role may not do this.
        NotPermitted = "not_permitted",
        /// Only an admin may do this.
        AdminOnly = "admin_only",
        /// The recovery key was handed over already.
        RecoveryIssued = "recovery_issued",
        /// A value the user gave is wrong (`field` names it when one is at fault).
        InvalidInput = "invalid_input",
        /// A command-line argument is wrong.
        InvalidArguments = "invalid_arguments",
        /// Stored data does not read back as it was written.
        BadData = "bad_data",
        /// Stored data is damaged.
        Corrupt = "corrupt",
        /// The working-day calendar cannot answer (a year not installed, a bad holiday file).
        Calendar = "calendar",
        /// The computer's clock is implausible.
        ClockImplausible = "clock_implausible",
        /// No such catalog item.
        UnknownItem = "unknown_item",
        /// No such print.
        UnknownPrint = "unknown_print",
        /// No such hub configured.
        UnknownHub = "unknown_hub",
        /// The event is not in the quarantine.
        NotQuarantined = "not_quarantined",
        /// The case's number cannot be corrected.
        NotRenumberable = "not_renumberable",
        /// The event cannot be given up.
        NotDiscardable = "not_discardable",
        /// New intakes for a partner are refused: not synced for too long.
        OfflineTooLong = "offline_too_long",
        /// A pulled event is refused: a constraint of the database.
        Constraint = "constraint",
        /// A pulled event without a seal from a hub whose key is pinned.
        Unsigned = "unsigned",
        /// A pulled event whose seal does not hold.
        BadSignature = "bad_signature",
        /// A catalog that is not sound.
        CatalogInvalid = "catalog_invalid",
        /// Another catalog holds this version with other content.
        CatalogVersionConflict = "catalog_version_conflict",
        /// A catalog file could not be read or written.
        CatalogIo = "catalog_io",
        /// A catalog file in none of the formats read.
        CatalogUnknownFormat = "catalog_unknown_format",
        /// A catalog file that is not a file of its format.
        CatalogUnreadable = "catalog_unreadable",
        /// A catalog that cannot be written in the format asked for.
        CatalogNotRepresentable = "catalog_not_representable",
        /// A character no font of the forms has.
        MissingGlyph = "missing_glyph",
        /// A text too long for its place on a form.
        TextTooLong = "text_too_long",
        /// A 一次性告知书 with nothing to tell.
        NothingToNotify = "nothing_to_notify",
        /// A date range that is not one.
        BadRange = "bad_range",
        /// The QR code could not be made.
        Qr = "qr",
        /// A case whose promised date could not be computed.
        NoDeadline = "no_deadline",
        /// The Excel writer failed.
        Excel = "excel",
        /// The PDF writer (subsetting the font, writing the file) failed.
        Pdf = "pdf",
        /// An export format that is not offered.
        UnknownFormat = "unknown_format",
        /// A printed form could not be delivered.
        PrintFailed = "print_failed",
        /// No PDF viewer could open the file.
        ViewerFailed = "viewer_failed",
        /// A file could not be written.
        WriteFailed = "write_failed",
        /// The scanner folder cannot be used.
        ScannerFolder = "scanner_folder",
        /// The machine's data folder cannot be found.
        NoDataDir = "no_data_dir",
        /// The OS's credential store failed.
        Keyring = "keyring",
        /// Unattended sync is on but its key is missing from the OS's store.
        UnattendedKeyMissing = "unattended_key_missing",
        /// The sync engine is not running.
        SyncNotRunning = "sync_not_running",
        /// The hub could not be reached.
        HubUnreachable = "hub_unreachable",
        /// The hub did not answer in time.
        HubTimeout = "hub_timeout",
        /// The connection to the hub broke off.
        HubInterrupted = "hub_interrupted",
        /// The hub's answer is not what the wire format says.
        HubGarbled = "hub_garbled",
        /// The address is another region's hub.
        WrongHub = "wrong_hub",
        /// Scans the hub still lacks.
        ScansNotArriving = "scans_not_arriving",
        /// A calendar the hub served was not installed.
        CalendarRefused = "calendar_refused",
        /// The hub's certificate could not be verified.
        HubCertificate = "hub_certificate",
        /// A hub over plain http that an admin did not allow.
        PlainHttpRefused = "plain_http_refused",
        /// The CA certificate given for a hub cannot be used.
        BadCaCertificate = "bad_ca_certificate",
        /// The hub presented another sealing key than the one pinned.
        SigningKeyChanged = "signing_key_changed",
        /// The hub presented no sealing key though one is pinned.
        SigningKeyMissing = "signing_key_missing",
        /// A pulled event, catalog or calendar whose seal does not hold.
        SealBroken = "seal_broken",
        /// The audit chain does not verify.
        AuditBroken = "audit_broken",
        /// A backup folder that cannot be written.
        BackupTarget = "backup_target",
        /// A backup that does not verify.
        BackupInvalid = "backup_invalid",
        /// A backup of a newer version of the program.
        BackupNewer = "backup_newer",
    }
}

/// The code an error at the window's or the CLI's edge carries: the desk's own, or a hub's
/// passed through (a refused push, an identity the hub would not take). Serialised as the inner
/// name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum AppCode {
    Desk(DeskCode),
    Hub(HubCode),
}

impl AppCode {
    /// The stable name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            AppCode::Desk(code) => code.as_str(),
            AppCode::Hub(code) => code.as_str(),
        }
    }
}

impl From<DeskCode> for AppCode {
    fn from(code: DeskCode) -> AppCode {
        AppCode::Desk(code)
    }
}

impl From<HubCode> for AppCode {
    fn from(code: HubCode) -> AppCode {
        AppCode::Hub(code)
    }
}

impl fmt::Display for AppCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<DeskCode> for AppCode {
    fn eq(&self, code: &DeskCode) -> bool {
        *self == AppCode::Desk(*code)
    }
}

impl PartialEq<HubCode> for AppCode {
    fn eq(&self, code: &HubCode) -> bool {
        *self == AppCode::Hub(*code)
    }
}

/// A code equals its stable name, so a caller (or a test) can compare with the name it knows.
impl PartialEq<&str> for AppCode {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

impl PartialEq<str> for AppCode {
    fn eq(&self, name: &str) -> bool {
        self.as_str() == name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_serialises_as_its_stable_name() {
        let desk = DeskCode::ALL.iter().map(|&c| AppCode::Desk(c));
        let hub = HubCode::ALL.iter().map(|&c| AppCode::Hub(c));
        for code in desk.chain(hub) {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert_eq!(serde_json::from_value::<AppCode>(code.as_str().into()).unwrap(), code);
        }
    }

    #[test]
    fn no_name_is_both_a_desk_and_a_hub_code() {
        for desk in DeskCode::ALL {
            assert!(!HubCode::ALL.iter().any(|hub| hub.as_str() == desk.as_str()), "{desk} is a hub code too");
        }
    }

    #[test]
    fn a_code_from_a_newer_hub_reads_as_other() {
        let code: AppCode = serde_json::from_str(r#""quota_exceeded""#).unwrap();
        assert_eq!(code, AppCode::Hub(HubCode::Other));
    }
}
