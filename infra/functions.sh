# Sourced (bash), from the repository's root: the Lambda functions, found in one place. Every crate
# under functions/ is a function the template deploys, a binary of its name (the template test
# checks that the template and the crates agree). Sets `functions` (their names) and
# `function_packages` (`--package <name>` for each, to build them all in one cargo call).
functions=()
function_packages=()
for crate in functions/*/Cargo.toml; do
    functions+=("$(basename "$(dirname "$crate")")")
    function_packages+=(--package "${functions[-1]}")
done
