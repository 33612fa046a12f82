//! The `dangjian` command line: parses arguments and hands over to the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dangjian::site::{self, BuildError, BuildOptions};

// Rendering allocates many small JSON values from several threads; mimalloc handles that far
// better than glibc's allocator (see docs/decisions/0004-mimalloc.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Static site generator for Party-building publicity sites (党建宣传网站生成器).
#[derive(Parser)]
#[command(name = "dangjian", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new site from the built-in example (新建站点)
    Init {
        /// Folder to create (must be new or empty)
        #[arg(default_value = "site")]
        dir: PathBuf,
    },
    /// Build the site into its output folder (生成网站)
    Build {
        /// Site folder; default: the current folder if it has config.toml, else ./site
        #[arg(long)]
        site: Option<PathBuf>,
        /// Output folder; default: <site>/public
        #[arg(long)]
        output: Option<PathBuf>,
        /// Base URL instead of config.toml's base_url (for a sub-path deployment)
        #[arg(long)]
        base_url: Option<String>,
        /// Include pages marked draft = true
        #[arg(long)]
        drafts: bool,
    },
    /// Check the whole site without writing anything; exit 1 on errors (发布前检查)
    Check {
        /// Site folder; default: the current folder if it has config.toml, else ./site
        #[arg(long)]
        site: Option<PathBuf>,
        /// Report format
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Include pages marked draft = true
        #[arg(long)]
        drafts: bool,
        /// Also fetch outbound http(s) links (5 s timeout each); failures are warnings
        #[arg(long)]
        external: bool,
    },
    /// Start a new page in a section, as a draft (新建稿件)
    New {
        /// Section folder under content/, e.g. study, integrity, news
        section: String,
        /// Title of the page
        title: String,
        /// Site folder; default: the current folder if it has config.toml, else ./site
        #[arg(long)]
        site: Option<PathBuf>,
        /// The page reports a meeting of this kind (会议类型), e.g. 党课, 支委会, 主题党日; needs --branch
        #[arg(long)]
        meeting: Option<String>,
        /// The branch the page is about: its slug (or name) in data/branches.toml
        #[arg(long)]
        branch: Option<String>,
    },
    /// Publish the site to a folder that nginx serves, as an atomic, reversible release (发布)
    Deploy {
        /// Site folder; default: the current folder if it has config.toml, else ./site
        #[arg(long)]
        site: Option<PathBuf>,
        /// Deploy target; point nginx's root at TARGET/current
        #[arg(long, value_name = "TARGET")]
        to: PathBuf,
        /// Releases to keep; the live one and the one before it are always kept
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
        keep: u16,
        /// Switch back to the release deployed before the live one (回滚)
        #[arg(long, conflicts_with_all = ["list", "site"])]
        rollback: bool,
        /// Show the releases: time, pages, files, size, which is live (版本列表)
        #[arg(long, conflicts_with = "site")]
        list: bool,
        /// Format of --list
        #[arg(long, value_enum, default_value_t = ListFormat::Text, requires = "list")]
        format: ListFormat,
        /// Seconds to wait for another deploy to the same target before giving up
        #[arg(long, default_value_t = 60, value_name = "SECONDS")]
        wait: u64,
    },
    /// Deletes a previous output moved aside by `build` (run by `build` itself, in the background)
    #[command(name = "__remove-old", hide = true)]
    RemoveOld { dir: PathBuf },
    /// Preview the site with live reload (本地预览，修改后自动刷新)
    Serve {
        /// Site folder; default: the current folder if it has config.toml, else ./site
        #[arg(long)]
        site: Option<PathBuf>,
        /// Port; if it is taken the next free one is used
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; 0.0.0.0 lets others on the network see the preview
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
        /// Poll for changes instead of file events (network drives, WSL, virtual machines)
        #[arg(long)]
        poll: bool,
        /// Include pages marked draft = true
        #[arg(long)]
        drafts: bool,
    },
}

/// How `check` reports.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    /// Lines grouped by file, with hints and a count.
    Text,
    /// A JSON array for other tools.
    Json,
}

/// How `deploy --list` shows the releases.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ListFormat {
    /// A table, the live release marked.
    Text,
    /// A JSON array for other tools.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Init { dir } => match dangjian::init::init(&dir) {
            Ok(files) => {
                println!(
                    "created a new site in {} ({files} files); next: dangjian build --site {}",
                    dir.display(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
        Command::Check {
            site,
            format,
            drafts,
            external,
        } => {
            let options = BuildOptions {
                site_dir: resolve_site(site),
                base_url: None,
                drafts,
                now: chrono::Local::now().naive_local(),
                include_unreviewed: false,
            };
            let report = site::check_report(&options, external);
            let found = &report.diagnostics;
            match format {
                ReportFormat::Text => print!("{}", with_silenced(dangjian::diagnostic::format_grouped(found), report.silenced)),
                ReportFormat::Json => println!("{}", dangjian::diagnostic::to_json(found)),
            }
            if found.iter().any(|d| d.is_error()) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::New {
            section,
            title,
            site,
            meeting,
            branch,
        } => {
            let options = dangjian::new::NewOptions { meeting, branch };
            match dangjian::new::new_page_with(&resolve_site(site), &section, &title, chrono::Local::now().date_naive(), &options) {
                Ok(path) => {
                    println!("created {} (a draft: remove `draft = true` to publish it)", path.display());
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Deploy {
            site,
            to,
            keep,
            rollback,
            list,
            format,
            wait,
        } => {
            let wait = std::time::Duration::from_secs(wait);
            if list {
                list_releases(&to, format)
            } else if rollback {
                roll_back(&to, wait)
            } else {
                let options = dangjian::deploy::DeployOptions {
                    site_dir: resolve_site(site),
                    target: to,
                    keep: usize::from(keep),
                    wait,
                    hooks: dangjian::deploy::Hooks::from_env(),
                };
                deploy(&options)
            }
        }
        Command::RemoveOld { dir } => match dangjian::output::remove_old(&dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        },
        Command::Serve {
            site,
            port,
            bind,
            open,
            poll,
            drafts,
        } => {
            let options = dangjian::serve::ServeOptions {
                site_dir: resolve_site(site),
                bind,
                port,
                open,
                poll,
                drafts,
            };
            match dangjian::serve::serve(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Build {
            site,
            output,
            base_url,
            drafts,
        } => {
            let site_dir = resolve_site(site);
            let output_dir = output.unwrap_or_else(|| site_dir.join("public"));
            let options = BuildOptions {
                site_dir,
                base_url,
                drafts,
                now: chrono::Local::now().naive_local(),
                include_unreviewed: false,
            };
            match site::build(&options, &output_dir) {
                Ok(summary) => {
                    eprint!("{}", site::report(&summary.warnings));
                    println!("{}", summary.line());
                    if !summary.held_for_review.is_empty() {
                        println!("held back for review: {} page(s)", summary.held_for_review.len());
                        for held in &summary.held_for_review {
                            println!("  {} (missing {})", held.file, held.missing.join(", "));
                        }
                    }
                    if let Some(previous) = &summary.previous {
                        remove_in_background(previous);
                    }
                    ExitCode::SUCCESS
                }
                Err(BuildError::Content(diagnostics)) => {
                    eprint!("{}", site::report(&diagnostics));
                    eprintln!("build failed; the previous output in {} is unchanged", output_dir.display());
                    ExitCode::FAILURE
                }
                Err(BuildError::Io(error)) => {
                    eprintln!("error: writing the site failed: {error}");
                    eprintln!("the previous output in {} is unchanged", output_dir.display());
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// `dangjian deploy`: check, build, copy, verify, switch, prune.
fn deploy(options: &dangjian::deploy::DeployOptions) -> ExitCode {
    use dangjian::deploy::{Action, DeployError};
    let target = options.target.display();
    match dangjian::deploy::deploy(options, &|line| eprintln!("{line}")) {
        Ok(deployed) => {
            eprint!("{}", site::report(&deployed.warnings));
            for note in &deployed.notes {
                eprintln!("note: {note}");
            }
            match deployed.action {
                Action::AlreadyLive => {
                    println!(
                        "unchanged: release {} is live with this content already; nothing was copied (内容未变)",
                        deployed.release
                    );
                    return ExitCode::SUCCESS;
                }
                Action::Copied => println!(
                    "deployed release {} ({} pages, {} files); {target}/current now serves it (发布成功)",
                    deployed.release, deployed.pages, deployed.files
                ),
                Action::Reused => println!(
                    "release {} had this content already; verified it and made it live without copying (发布成功)",
                    deployed.release
                ),
            }
            if let Some(previous) = &deployed.previous {
                println!("previous release: {previous}; to undo: dangjian deploy --to {target} --rollback");
            }
            if !deployed.pruned.is_empty() {
                println!("deleted old releases beyond --keep: {}", deployed.pruned.join(", "));
            }
            ExitCode::SUCCESS
        }
        Err(DeployError::Refused(diagnostics)) => {
            eprint!("{}", site::report(&diagnostics));
            eprintln!(
                "deploy refused: the site has errors (dangjian check lists them); nothing was published and {target} is unchanged (有错误，未发布)"
            );
            ExitCode::FAILURE
        }
        Err(DeployError::Failed(message)) => {
            eprintln!("error: {message}");
            eprintln!("deploy failed; the live release in {target} is unchanged (发布失败，线上版本未变)");
            ExitCode::FAILURE
        }
    }
}

/// `dangjian deploy --rollback`.
fn roll_back(target: &Path, wait: std::time::Duration) -> ExitCode {
    match dangjian::deploy::rollback(target, wait, &|line| eprintln!("{line}")) {
        Ok((from, to)) => {
            println!("rolled back: release {to} is live again instead of {from} (已回滚)");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!("rollback failed; the live release in {} is unchanged", target.display());
            ExitCode::FAILURE
        }
    }
}

/// `dangjian deploy --list`.
fn list_releases(target: &Path, format: ListFormat) -> ExitCode {
    match dangjian::deploy::list(target) {
        Ok(releases) => {
            let text = match format {
                ListFormat::Text => dangjian::deploy::format_table(target, &releases),
                ListFormat::Json => format!("{}\n", dangjian::deploy::format_json(&releases)),
            };
            // A closed pipe (`| head`) is not an error of the listing.
            let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The check report's closing line with the number of findings `check_allow` silenced.
fn with_silenced(text: String, silenced: usize) -> String {
    if silenced == 0 {
        return text;
    }
    format!("{}; {silenced} silenced by check_allow\n", text.trim_end_matches('\n'))
}

/// Deleting ~15,000 old files takes longer than a build: a detached process of ours does it, so
/// the command returns as soon as the new site is in place. If it cannot start, the next build
/// deletes the folder.
fn remove_in_background(previous: &Path) {
    if let Ok(exe) = std::env::current_exe() {
        let _ = std::process::Command::new(exe)
            .arg("__remove-old")
            .arg(previous)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}

/// `--site`, else the current folder when it holds config.toml, else ./site.
fn resolve_site(site: Option<PathBuf>) -> PathBuf {
    site.unwrap_or_else(|| {
        if Path::new("config.toml").is_file() {
            PathBuf::from(".")
        } else {
            PathBuf::from("site")
        }
    })
}
