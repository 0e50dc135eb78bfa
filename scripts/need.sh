# SPDX-License-Identifier: GPL-2.0
#
# need.sh - sourced by the scripts that call other programs.
#
# need TOOL...: stop with "missing TOOL: run 'make deps'" unless every
# TOOL is on PATH.  Scripts call it up front for what they run, so that a
# machine without one says so at once, not half-way through a run with
# an error of some other program's making.  scripts/deps.sh installs all
# of them and checks the same list.
need() {
	local tool missing=()
	for tool; do
		command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
	done
	((${#missing[@]} == 0)) && return 0
	echo "missing ${missing[*]}: run 'make deps'" >&2
	exit 2
}
