//! Which keys name a file inside the folder. A key is a relative path of plain names, so no key,
//! however it was built, reaches outside the folder.

use std::path::PathBuf;

/// Longer keys are a bug in the caller, and some filesystems refuse long paths anyway.
const MAX_KEY_BYTES: usize = 1024;

#[derive(Debug, thiserror::Error)]
#[error("invalid blob key {key:?}: {reason}")]
pub struct InvalidKey {
    key: String,
    reason: &'static str,
}

/// The path of `key` relative to the folder.
pub(super) fn relative_path(key: &str) -> Result<PathBuf, InvalidKey> {
    let refuse = |reason| Err(InvalidKey { key: key.to_owned(), reason });
    if key.is_empty() || key.len() > MAX_KEY_BYTES {
        return refuse("must be 1 to 1024 bytes");
    }
    if key.chars().any(|c| c.is_control() || c == '\\') {
        return refuse("control characters and backslashes are not allowed");
    }
    let mut path = PathBuf::new();
    for segment in key.split('/') {
        match segment {
            "" => return refuse("must be relative, without empty segments"),
            "." | ".." => return refuse("`.` and `..` segments are not allowed"),
            name => path.push(name),
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_keys_are_paths_under_the_folder() {
        assert_eq!(relative_path("exports/job-1.csv").expect("valid"), PathBuf::from("exports").join("job-1.csv"));
        assert_eq!(relative_path("a..b/.hidden").expect("dots inside names are fine"), PathBuf::from("a..b/.hidden"));
    }

    #[test]
    fn keys_that_could_leave_the_folder_are_refused() {
        for key in ["", "/etc/passwd", "../secret", "exports/../../x", "a/./b", "a//b", "a/", "a\\..\\b", "a\0b"] {
            assert!(relative_path(key).is_err(), "{key:?} must be refused");
        }
        assert!(relative_path(&"k".repeat(MAX_KEY_BYTES + 1)).is_err());
    }
}
