//! Watching the site folder: native events (inotify) or polling, editors' temporary files and
//! access events filtered out, bursts gathered into one batch.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

/// Quiet time that ends a burst of events (an editor's save is several events).
const QUIET: Duration = Duration::from_millis(20);
/// Longest a batch waits, so a steady stream of events still rebuilds.
const MAX_WAIT: Duration = Duration::from_millis(200);

/// Keeps the watcher alive; dropping it stops watching.
pub struct WatchHandle {
    _watcher: Box<dyn Watcher + Send>,
}

/// Starts watching `site_dir` (except `ignore`, the output folder); batches of changed paths
/// arrive on the returned channel.
pub fn watch(site_dir: &Path, ignore: &Path, poll: bool) -> notify::Result<(WatchHandle, Receiver<Vec<PathBuf>>)> {
    let (raw_tx, raw_rx) = channel::<notify::Result<notify::Event>>();
    let mut watcher: Box<dyn Watcher + Send> = if poll {
        let config = notify::Config::default()
            .with_poll_interval(Duration::from_millis(500))
            .with_compare_contents(true);
        Box::new(notify::PollWatcher::new(raw_tx, config)?)
    } else {
        Box::new(notify::recommended_watcher(raw_tx)?)
    };
    watcher.watch(site_dir, RecursiveMode::Recursive)?;
    let (batch_tx, batch_rx) = channel();
    let site_dir = site_dir.to_path_buf();
    let ignore = ignore.to_path_buf();
    std::thread::Builder::new()
        .name("dangjian-watch".into())
        .spawn(move || gather(raw_rx, batch_tx, &site_dir, &ignore))
        .map_err(|e| notify::Error::generic(&e.to_string()))?;
    Ok((WatchHandle { _watcher: watcher }, batch_rx))
}

fn gather(raw: Receiver<notify::Result<notify::Event>>, batches: Sender<Vec<PathBuf>>, site_dir: &Path, ignore: &Path) {
    loop {
        let Ok(first) = raw.recv() else { return };
        let mut batch = Vec::new();
        take(first, &mut batch, site_dir, ignore);
        let started = Instant::now();
        loop {
            let wait = QUIET.min(MAX_WAIT.saturating_sub(started.elapsed()));
            match raw.recv_timeout(wait) {
                Ok(event) => take(event, &mut batch, site_dir, ignore),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if started.elapsed() >= MAX_WAIT {
                break;
            }
        }
        if !batch.is_empty() {
            batch.sort();
            batch.dedup();
            if batches.send(batch).is_err() {
                return;
            }
        }
    }
}

fn take(event: notify::Result<notify::Event>, batch: &mut Vec<PathBuf>, site_dir: &Path, ignore: &Path) {
    let Ok(event) = event else { return };
    if matches!(event.kind, EventKind::Access(_)) {
        return;
    }
    for path in event.paths {
        if is_relevant(&path, site_dir, ignore) {
            batch.push(path);
        }
    }
}

/// False for the output folder, hidden files and editors' temporary files.
pub fn is_relevant(path: &Path, site_dir: &Path, ignore: &Path) -> bool {
    if path.starts_with(ignore) {
        return false;
    }
    let relative = path.strip_prefix(site_dir).unwrap_or(path);
    let hidden = relative.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = name == "4913"
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.contains("___jb_old___")
        || name.contains("___jb_tmp___")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.starts_with("~$");
    !hidden && !temporary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_and_output_are_ignored() {
        let site = Path::new("/s");
        let public = Path::new("/s/public");
        assert!(is_relevant(Path::new("/s/content/a.md"), site, public));
        for ignored in [
            "/s/public/index.html",
            "/s/content/.a.md.swp",
            "/s/content/4913",
            "/s/content/a.md~",
            "/s/content/a.md___jb_old___",
            "/s/.git/index",
            "/s/content/#a.md#",
        ] {
            assert!(!is_relevant(Path::new(ignored), site, public), "{ignored}");
        }
    }
}
