//! Builds every lesson file in `lessons/` into the program: a lesson is
//! built in by being there, with no list to keep.

use std::path::PathBuf;
use std::{env, fs};

fn main() {
    println!("cargo::rerun-if-changed=lessons");
    let mut files: Vec<PathBuf> = fs::read_dir("lessons")
        .expect("the lessons/ directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut table = String::from("&[\n");
    for file in files {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let path = fs::canonicalize(&file).expect("a lesson file's full path");
        table += &format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        );
    }
    table += "]\n";
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("lessons.rs"), table).expect("writing the lesson table");
}
