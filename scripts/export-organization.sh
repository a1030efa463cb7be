#!/usr/bin/env bash
# Export an AWS organization's tree and its SCPs and RCPs with the AWS CLI, in the directory
# layout that iamtwin.world.formats.organizations reads (see that module's docstring):
#
#   describe-organization.json, list-roots.json,
#   list-organizational-units-for-parent/<parent-id>.json, list-accounts-for-parent/<parent-id>.json,
#   list-policies/<FILTER>.json, describe-policy/<policy-id>.json, list-targets-for-policy/<policy-id>.json
#
# Usage: scripts/export-organization.sh OUTPUT_DIR [AWS CLI options, e.g. --profile mgmt]
#
# Run it with credentials of the management account or a delegated administrator. The AWS CLI
# fetches every page itself; python3 reads the ids out of the written files.
set -euo pipefail

if [[ $# -lt 1 || $1 == -* ]]; then
    echo "usage: $0 OUTPUT_DIR [AWS CLI options]" >&2
    exit 2
fi
out=$1
shift
export AWS_PAGER=""

org() {
    aws organizations "$@" ${cli_options[@]+"${cli_options[@]}"} --output json
}

# Prints the values of `key` in the list `list` of a JSON file, one a line.
ids() {
    python3 -c 'import json, sys
for item in json.load(open(sys.argv[1]))[sys.argv[2]]:
    print(item[sys.argv[3]])' "$1" "$2" "$3"
}

cli_options=("$@")
mkdir -p "$out"/list-organizational-units-for-parent "$out"/list-accounts-for-parent \
    "$out"/list-policies "$out"/describe-policy "$out"/list-targets-for-policy

org describe-organization >"$out/describe-organization.json"
org list-roots >"$out/list-roots.json"

walk() {
    local parent=$1 child
    org list-organizational-units-for-parent --parent-id "$parent" \
        >"$out/list-organizational-units-for-parent/$parent.json"
    org list-accounts-for-parent --parent-id "$parent" >"$out/list-accounts-for-parent/$parent.json"
    for child in $(ids "$out/list-organizational-units-for-parent/$parent.json" OrganizationalUnits Id); do
        walk "$child"
    done
}
for root in $(ids "$out/list-roots.json" Roots Id); do
    walk "$root"
done

for filter in SERVICE_CONTROL_POLICY RESOURCE_CONTROL_POLICY; do
    listing="$out/list-policies/$filter.json"
    # A policy type that is not enabled may refuse to be listed; the reader then treats it as absent.
    if ! org list-policies --filter "$filter" >"$listing"; then
        echo "note: no $filter listing (is the policy type enabled?)" >&2
        rm -f "$listing"
        continue
    fi
    for policy in $(ids "$listing" Policies Id); do
        org describe-policy --policy-id "$policy" >"$out/describe-policy/$policy.json"
        org list-targets-for-policy --policy-id "$policy" >"$out/list-targets-for-policy/$policy.json"
    done
done

echo "exported the organization into $out" >&2
