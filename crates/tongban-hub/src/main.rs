//! `tongban-hub`: serve a region's hub, and manage its credentials.
//!
//! ```text
//! tongban-hub init --db hub.db --region 411329
//! tongban-hub serve --listen 127.0.0.1:8730 --db hub.db [--region 411329] [--config hub.toml]
//! tongban-hub credential issue --db hub.db --role window --region 110105 --desk-code A1 --desk 朝阳1号窗
//! tongban-hub credential list --db hub.db
//! tongban-hub credential revoke --db hub.db --id 3
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Parser, Subcommand};
use tongban_hub::config::SettingsLayer;
use tongban_hub::{Hub, HubError, Role};

#[derive(Parser)]
#[command(name = "tongban-hub", version, about = "通办中心：跨省通办的地区交换端点")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the hub database for a region.
    Init {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        region: String,
    },
    /// Serve the API. Settings: flags, then TONGBAN_HUB_* variables, then the --config file.
    Serve {
        /// ADDR:PORT; port 0 picks a free port. Printed once bound.
        #[arg(long)]
        listen: Option<String>,
        #[arg(long)]
        db: Option<PathBuf>,
        /// The scans' folder (required with a postgres:// database: one folder every hub process mounts).
        #[arg(long)]
        blob_dir: Option<PathBuf>,
        /// Required the first time; checked against the database afterwards.
        #[arg(long)]
        region: Option<String>,
        /// PEM certificate chain (the hub's certificate first): serve HTTPS. With --tls-key.
        /// Either file changing is picked up without a restart.
        #[arg(long)]
        tls_cert: Option<PathBuf>,
        /// PEM private key of --tls-cert.
        #[arg(long)]
        tls_key: Option<PathBuf>,
        /// A TOML file with listen, db, region, tls_cert, tls_key, max_json_body, max_push_batch,
        /// max_blob_size, max_connections, max_connections_per_peer, header_timeout_secs,
        /// body_idle_timeout_secs, requests_per_second, request_burst.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Issue, list and revoke desk credentials.
    /// Bring the database's schema to this build's version (serve does it too, at start) and say
    /// which it is: for an upgrade done before the hub processes are restarted.
    Migrate {
        /// The SQLite file or the postgres:// URL.
        #[arg(long)]
        db: PathBuf,
    },
    /// Write a hub's tables and scans into a new folder (from a consistent view; the hub may keep
    /// serving), to import into another database.
    Export {
        #[arg(long)]
        db: PathBuf,
        /// The scans' folder, if not beside a SQLite file.
        #[arg(long)]
        blob_dir: Option<PathBuf>,
        /// A new folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Load an export into an empty database (SQLite file or postgres:// URL), checking every
    /// table's row count and every scan's hash before committing.
    Import {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        blob_dir: Option<PathBuf>,
        /// The folder `export` wrote.
        #[arg(long)]
        from: PathBuf,
    },
    #[command(subcommand)]
    Credential(CredentialCommand),
    /// Print the public key the hub seals its events with, and its fingerprint: give both to the
    /// partners' admins with their credentials, so their desks can check the key they pin.
    Key {
        #[arg(long)]
        db: PathBuf,
    },
}

#[derive(Subcommand)]
enum CredentialCommand {
    /// Issue a credential for one desk and print its token (shown only this once).
    Issue {
        #[arg(long)]
        db: PathBuf,
        /// window (partner) | helper | back_office | supervisor | admin
        #[arg(long)]
        role: String,
        /// The desk's region; defaults to the hub's own for back_office and admin.
        #[arg(long)]
        region: Option<String>,
        /// The desk's code in its region (the third part of its 办件编号), e.g. A1. Every desk role
        /// needs one, and only one live credential may name a region's code: issue a partner
        /// region's code only as that region's admin registered it.
        #[arg(long)]
        desk_code: Option<String>,
        /// Who the credential is for, e.g. "朝阳区政务服务中心1号窗".
        #[arg(long)]
        desk: String,
    },
    /// List every credential (never the tokens).
    List {
        #[arg(long)]
        db: PathBuf,
    },
    /// Revoke a credential by its id; its token stops working at once.
    Revoke {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: i64,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TONGBAN_HUB_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), HubError> {
    match command {
        Command::Init { db, region } => {
            let hub = Hub::open(&db, Some(&region))?;
            println!("通办中心数据库已就绪：{}（地区 {}）", db.display(), hub.region());
        }
        Command::Serve { listen, db, blob_dir, region, tls_cert, tls_key, config } => {
            let file = config.as_deref().map(SettingsLayer::from_file).transpose()?.unwrap_or_default();
            let env = SettingsLayer::from_env(|name| std::env::var(name).ok())?;
            let flags = SettingsLayer { listen, db, blob_dir, region, tls_cert, tls_key, ..SettingsLayer::default() };
            let (addr, config) = file.overridden_by(env).overridden_by(flags).resolve()?;
            // A bad certificate pair stops the hub before it binds, naming the file.
            if let Some(tls) = &config.tls {
                tongban_hub::http::check_tls(tls)?;
            }
            let scheme = if config.tls.is_some() { "https" } else { "http" };
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|e| HubError::Config(format!("无法监听 {addr}：{e}")))?;
                // Tests and scripts read this line to learn the port when they asked for port 0.
                let mut out = std::io::stdout().lock();
                writeln!(out, "listening on {scheme}://{}", listener.local_addr()?)?;
                out.flush()?;
                drop(out);
                tongban_hub::serve(listener, config, shutdown_signal()).await
            })?;
        }
        Command::Credential(CredentialCommand::Issue { db, role, region, desk_code, desk }) => {
            let role = Role::parse(&role).ok_or_else(|| {
                HubError::InvalidCredential(format!(
                    "角色「{role}」无效，应为 window（即 partner）、helper、back_office、supervisor 或 admin"
                ))
            })?;
            let hub = Hub::open(&db, None)?;
            let issued = hub.issue_credential(region.as_deref(), role, desk_code.as_deref(), &desk, Utc::now())?;
            let c = &issued.credential;
            eprintln!(
                "已为「{}」（{}）签发凭据 #{}，可见范围：{}；令牌只显示这一次，请妥善交给该受理台：",
                c.who(),
                c.role.label(),
                c.id,
                c.role.scope_label()
            );
            println!("{}", issued.token);
        }
        Command::Migrate { db } => {
            let hub = Hub::open(&db, None)?;
            println!(
                "通办中心数据库（{}，地区 {}）已是本程序的第 {} 版结构",
                hub.database_kind(),
                hub.region(),
                hub.schema_version()
            );
        }
        Command::Export { db, blob_dir, out } => {
            let manifest = tongban_hub::transfer::export(&db, blob_dir.as_deref(), &out)?;
            print_counts("已导出", &manifest);
        }
        Command::Import { db, blob_dir, from } => {
            let manifest = tongban_hub::transfer::import(&db, blob_dir.as_deref(), &from)?;
            print_counts("已导入并核对", &manifest);
        }
        Command::Key { db } => {
            let hub = Hub::open(&db, None)?;
            let key = hub.signer().public();
            println!("签名公钥：{}", key.to_hex());
            println!("指纹：{}", key.fingerprint());
        }
        Command::Credential(CredentialCommand::List { db }) => {
            let hub = Hub::open(&db, None)?;
            println!("编号\t地区\t窗口代码\t角色\t受理台\t签发时间\t确认\t状态");
            let time = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%d %H:%M").to_string();
            for c in hub.credentials()? {
                let state = c.revoked_at.map_or("有效".to_string(), |t| format!("已吊销 {}", time(t)));
                let confirmed = match (c.confirmed_at, c.desk_code.is_some()) {
                    (Some(t), _) => format!("已确认 {}", time(t)),
                    (None, true) => "未确认".to_string(),
                    (None, false) if c.role.is_desk() => "须重新签发（无窗口代码）".to_string(),
                    (None, false) => "—".to_string(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{confirmed}\t{state}",
                    c.id,
                    c.region,
                    c.desk_code.as_deref().unwrap_or("—"),
                    c.role.as_str(),
                    c.desk,
                    time(c.issued_at)
                );
            }
        }
        Command::Credential(CredentialCommand::Revoke { db, id }) => {
            let hub = Hub::open(&db, None)?;
            let c = hub.revoke_credential(id, Utc::now())?;
            println!("凭据 #{} （{}）已吊销", c.id, c.who());
        }
    }
    Ok(())
}

/// One line per table and the scans, as the operator checks them.
fn print_counts(done: &str, manifest: &tongban_hub::transfer::Manifest) {
    println!("{done}地区 {} 的通办中心（来自 {}）：", manifest.region, manifest.source);
    for (table, rows) in &manifest.rows {
        println!("  {table}\t{rows} 行");
    }
    println!("  扫描件\t{} 个", manifest.blobs);
}

/// Completes on Ctrl-C or SIGTERM (systemd's stop), and on Windows also on Ctrl-Break, the
/// console's closing and the system's shutdown (what a service wrapper such as WinSW sends), so
/// requests under way finish before the hub stops.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(windows)]
    let terminate = async {
        use tokio::signal::windows::{ctrl_break, ctrl_close, ctrl_shutdown};
        // Listeners that cannot be set up leave Ctrl-C alone to stop the hub.
        let (Ok(mut brk), Ok(mut close), Ok(mut shutdown)) = (ctrl_break(), ctrl_close(), ctrl_shutdown()) else {
            return std::future::pending::<()>().await;
        };
        tokio::select! {
            _ = brk.recv() => {},
            _ = close.recv() => {},
            _ = shutdown.recv() => {},
        }
    };
    #[cfg(not(any(unix, windows)))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
