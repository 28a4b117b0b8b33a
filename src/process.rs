//! Process-wide protection that must be in place before any secret is in memory.

use std::io;

use crate::error::{Error, Result};

/// Keeps the identity key and decrypted vaults out of core dumps, as KeePassXC does:
/// the core file size limit becomes 0 (soft and hard, so nothing later in the process
/// can raise it again), and on Linux the process is marked not dumpable, which also
/// covers dumps piped to a handler (`core_pattern = |…`, e.g. systemd-coredump, which
/// ignores the size limit) and stops other processes of the same user from attaching
/// with ptrace. Call it first thing, before reading any identity.
pub fn harden_process() -> Result<()> {
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit reads the struct it is given and nothing else.
    if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
        return Err(Error::io(
            "cannot switch off core dumps (setrlimit RLIMIT_CORE)",
            io::Error::last_os_error(),
        ));
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_DUMPABLE takes integer arguments only.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return Err(Error::io(
                "cannot mark the process as not dumpable (prctl PR_SET_DUMPABLE)",
                io::Error::last_os_error(),
            ));
        }
    }
    Ok(())
}

/// Has glibc map every allocation of 128 KiB or more on its own and unmap it when it is
/// freed. By default glibc raises that threshold to the largest block freed so far (up to
/// 32 MiB): after a large vault's ciphertext and plaintext are freed, the buffers of the
/// same size that follow (the new ciphertext as it grows) come from the heap, which
/// then cannot shrink. At 50,000 entries a dossier's peak memory varied between 165
/// and 210 MiB with where they landed; with the fixed threshold it is about 150 MiB.
/// Freed large buffers also leave the process at once. A hint only: should glibc
/// refuse it, nothing is lost but memory.
pub fn return_large_allocations() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes two integers and changes only the allocator's settings.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Gives the memory freed so far back to the system, holes in the heap included (glibc
/// keeps it otherwise). A dossier calls it between the layout, which frees most of
/// what it allocated, and the vault's re-encryption, which allocates anew: at 50,000
/// entries both at once were the peak.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes an integer and works on the allocator's own state.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHILD: &str = "HANDOVER_TEST_HARDEN_CHILD";

    /// Hardening changes the whole process for good, so it runs in a child: this test
    /// binary again, running only [`child_checks_its_own_limits`].
    #[test]
    fn harden_process_switches_off_core_dumps() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "process::tests::child_checks_its_own_limits",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("hardened: core 0/0, dumpable 0"),
            "{stdout}"
        );
    }

    #[test]
    fn child_checks_its_own_limits() {
        if std::env::var_os(CHILD).is_none() {
            return; // only meaningful in the child started above
        }
        harden_process().unwrap();
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit writes into the struct it is given.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) }, 0);
        // SAFETY: integer arguments only.
        let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap();
        assert_eq!(
            core.split_whitespace().collect::<Vec<_>>()[4..6],
            ["0", "0"],
            "{core}"
        );
        println!(
            "hardened: core {}/{}, dumpable {dumpable}",
            limit.rlim_cur, limit.rlim_max
        );
    }
}
