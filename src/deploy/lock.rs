//! One deploy at a time per target: an OS advisory lock on `TARGET/.deploy.lock`. The kernel
//! releases it when the process ends however it ends, so a killed deploy never leaves a stale
//! lock behind (see docs/decisions/0012-deploy.md).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock file's name inside the target.
pub const LOCK_FILE: &str = ".deploy.lock";

/// Held while a deploy or rollback changes the target; dropping it releases the lock.
pub struct DeployLock {
    _file: File,
}

/// Takes the target's lock, waiting up to `wait` for another deploy to finish; `on_wait` is
/// called once if it has to wait.
pub fn acquire(target: &Path, wait: Duration, on_wait: impl FnOnce(&str)) -> Result<DeployLock, String> {
    let path = target.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
    let deadline = Instant::now() + wait;
    let mut on_wait = Some(on_wait);
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                let holder = holder(&mut file);
                if Instant::now() >= deadline {
                    return Err(busy_message(&path, &holder, wait));
                }
                if let Some(on_wait) = on_wait.take() {
                    on_wait(&format!(
                        "another deploy ({holder}) is running on {}; waiting up to {} s (另一次发布正在进行，等待中)",
                        target.display(),
                        wait.as_secs()
                    ));
                }
                std::thread::sleep(Duration::from_millis(200).min(deadline.saturating_duration_since(Instant::now())));
            }
            Err(TryLockError::Error(e)) => return Err(format!("cannot lock {}: {e}", path.display())),
        }
    }
    // Who holds the lock, for the message another deploy shows; the lock itself is what counts.
    let _ = file.set_len(0).and_then(|()| file.rewind()).and_then(|()| {
        write!(file, "process {}", std::process::id())?;
        file.flush()
    });
    Ok(DeployLock { _file: file })
}

fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    let text = text.trim();
    if text.is_empty() {
        "another process".to_string()
    } else {
        text.to_string()
    }
}

fn busy_message(path: &Path, holder: &str, wait: Duration) -> String {
    format!(
        "another deploy ({holder}) holds {} and did not finish within {} s; nothing was changed. \
         Run the deploy again when it has finished (另一次发布尚未结束，本次未做任何改动)",
        PathBuf::from(path).display(),
        wait.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_then_refuses_and_is_free_after_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), Duration::ZERO, |_| panic!("the first lock does not wait")).unwrap();
        let mut waited = None;
        let refused = acquire(dir.path(), Duration::from_millis(300), |note| waited = Some(note.to_string()))
            .err()
            .expect("the second lock is refused");
        let pid = std::process::id();
        assert!(waited.unwrap().contains(&format!("process {pid}")));
        assert!(refused.contains(&format!("another deploy (process {pid}) holds")), "{refused}");
        drop(first);
        acquire(dir.path(), Duration::ZERO, |_| panic!("free again")).unwrap();
    }
}
