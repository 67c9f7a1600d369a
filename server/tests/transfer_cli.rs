//! The `latchkey export` and `latchkey import` commands, run as the built binary: a store made
//! by a server (its default pool, client and settings) is exported to a file only its owner can
//! read, imported into another data dir, refused a second time (or skipped with
//! `--on-conflict skip`), read from stdin, and a file of another version is refused.

use latchkey_server::{ServerOptions, StoreChoice};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn latchkey(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_latchkey"))
        .args(args)
        .env_remove("LATCHKEY_STORE")
        .env_remove("LATCHKEY_TABLE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("latchkey runs");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("latchkey ends")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn temp(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "latchkey-cli-{label}-{}-{}",
        std::process::id(),
        latchkey::random::uuid_v4(&latchkey::random::Csprng)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn dir_arg(dir: &Path) -> String {
    dir.display().to_string()
}

#[tokio::test]
async fn export_then_import_through_the_binary() {
    let (source, target, files) = (temp("src"), temp("dst"), temp("files"));
    let mut opts = ServerOptions::in_memory();
    opts.store = StoreChoice::Sqlite {
        data_dir: source.clone(),
    };
    let server = latchkey_server::spawn(opts).await.expect("server");
    let pool = server.default_pool_id.clone();
    server.shutdown().await;

    let file = files.join("export.jsonl");
    let (src, dst, path) = (dir_arg(&source), dir_arg(&target), dir_arg(&file));
    let out = latchkey(
        &[
            "export",
            "--store",
            "sqlite",
            "--data-dir",
            &src,
            "--out",
            &path,
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("user_pool 1"), "{}", stderr(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the export is its owner's only");
    }
    let text = std::fs::read_to_string(&file).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(r#"{"format":"latchkey-export","version":1,"#),
        "{first}"
    );
    assert!(text.contains(&format!(r#""id":"{pool}""#)));

    let import = |extra: &[&str]| {
        let mut args = vec![
            "import",
            "--store",
            "sqlite",
            "--data-dir",
            &dst,
            "--in",
            &path,
        ];
        args.extend_from_slice(extra);
        latchkey(&args, None)
    };
    let out = import(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let records = text.lines().count() - 1;
    assert!(
        stderr(&out).contains("skipped 0; failed 0"),
        "{}",
        stderr(&out)
    );

    let again = import(&[]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains(&format!("failed {records}")),
        "{}",
        stderr(&again)
    );
    assert!(stderr(&again).contains("already exists in the target"));
    let skipped = import(&["--on-conflict", "skip"]);
    assert!(skipped.status.success(), "{}", stderr(&skipped));
    assert!(stderr(&skipped).contains(&format!("skipped {records}; failed 0")));

    // From stdin, into a third store; a version-2 file is refused before anything is written.
    let third = dir_arg(&temp("third"));
    let piped = [
        "import",
        "--store",
        "sqlite",
        "--data-dir",
        &third,
        "--in",
        "-",
    ];
    let later = text.replacen(r#""version":1"#, r#""version":2"#, 1);
    let refused = latchkey(&piped, Some(later.as_bytes()));
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("version 2 is not supported"),
        "{}",
        stderr(&refused)
    );
    let out = latchkey(&piped, Some(text.as_bytes()));
    assert!(out.status.success(), "{}", stderr(&out));
    for dir in [source, target, files, PathBuf::from(third)] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
