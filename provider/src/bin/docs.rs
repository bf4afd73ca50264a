//! Generates `docs/` from the schemas: `r53-docs DIR` writes, `r53-docs --check DIR` fails when the
//! committed docs are out of date (CI runs the check).

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "docs".into());
    let mut stale = Vec::new();
    for (rel, body) in terraform_provider_r53::docs::pages() {
        let path = Path::new(&dir).join(&rel);
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have == body {
            continue;
        }
        if check {
            stale.push(rel);
        } else {
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).expect("create docs dir");
            }
            std::fs::write(&path, body).expect("write doc");
            println!("wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        eprintln!("docs out of date (run `make docs`): {}", stale.join(", "));
        std::process::exit(1);
    }
}
