//! Writes the seed corpora: `r53-fuzz-seeds <workspace folder> <corpus folder>` fills
//! `<corpus folder>/<target>/seed-<name>` for every target (existing files are kept, so a grown
//! corpus stays).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(root), Some(corpus)) = (args.next(), args.next()) else {
        eprintln!("usage: r53-fuzz-seeds <workspace folder> <corpus folder>");
        return ExitCode::from(2);
    };
    let (root, corpus) = (PathBuf::from(root), PathBuf::from(corpus));
    let seeds = r53_fuzz::seeds::all(&root);
    for (target, name, bytes) in &seeds {
        let dir = corpus.join(target);
        let file = dir.join(format!("seed-{name}"));
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&file, bytes)) {
            eprintln!("{}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    }
    println!("{} seeds written under {}", seeds.len(), corpus.display());
    ExitCode::SUCCESS
}
