#!/usr/bin/env python3
"""The hostile-input corpus of docs/RELIABILITY.md, "Attacks and their tests".

Each case is an attack found against wsctl and provider-sim, and the CTest
tests that reproduce it. This runs them all in one ctest call and prints,
per case, how many tests ran and passed. A case whose pattern matches no
test fails too, so that a renamed or deleted test cannot drop an attack
from the suite unseen.

    tests/reliability/cases.py --bin build [--markdown OUT.md] [--json OUT.json]
    tests/reliability/cases.py --bin build --junit build/ctest.xml   # read a finished run
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

# (area, attack, test-name pattern: a Python regex matched against the whole CTest name)
CASES = [
    ("state file", "a zero-length state.db taken for a new store (30 duplicates)",
     r"StateFileTest\.(AZeroLength|InitStarts).*|E2eStateFileTest\.AnEmptiedStateFileIsRefused.*"),
    ("state file", "a `cp state.db` taken while wsctl ran (no tables: the data was in -wal)",
     r"StateFileTest\.(ATableless|ACopyOfTheMainFile).*"),
    ("state file", "a damaged or truncated state file",
     r"StateFileTest\.ATruncated.*"),
    ("state file", "backup while a controller runs, restore, nothing created again",
     r"StateFileTest\.ABackupTaken.*|E2eStateFileTest\.ABackupRestores.*"),
    ("state file", "scheduled backups keep the newest copies",
     r"BackupScheduleTest\..*"),
    ("state file", "a lost state file: Cadenya adopted by owner label and externalId, "
     "Paradigm names reported AlreadyExists", r"E2eStateFileTest\.ALostStateFile.*|"
     r"E2eStateFileTest\.AllowDuplicateNames.*|FirstCreateTest\.(AWorkspaceThatProves|"
     r"TheLookupLists|AFailedList|SeveralMatches|ATakenName|AMatchManaged|WithoutAMatch).*"),
    ("identity", "identical Aether shapes created concurrently: every lookup ambiguous",
     r"FirstCreateTest\.(ASecondIdentical|APendingCreateLeft|ARefusedCreate|OnlyMachines|"
     r"AMachineOwned).*|E2eLostCreateTest\.IdenticalAether.*"),
    ("credentials", "credentials.file: /proc/self/environ sent the environment to the manifest's URL",
     r"CredentialPolicyTest\..*|CredentialsE2e\.ProcSelfEnviron.*|"
     r"ManifestCredentialsTest\..*|SecretsE2e\.ControllerRefusesACredential.*"),
    ("credentials", "credentials.env: PATH sent PATH",
     r"CredentialEnvPatternTest\..*|CredentialsE2e\.EnvironmentVariableOutside.*"),
    ("credentials", "a token with CR LF injected a header; a 65,534-byte token aborted apply; "
     "a 300 MB token file was read whole",
     r"TokenSourceTest\..*|.*CredentialsIT\.(TokenBreakingTheRules|RefusedCredential).*"),
    ("credentials", "partial or encoded echoes of a token printed and stored",
     r"RedactTest\..*|.*CredentialsIT\.PartialAndEncodedEchoes.*"),
    ("hangs", "two symlinks to `.` hang validate, diff and apply and spin the controller",
     r"SourceTest\.(TwoSymlinksToDot|SymlinkToAnAncestor|ADirectoryReachedTwice|ACancelledWalk|"
     r"WatcherOnASymlinkLoop).*|ControllerHardening\.(ValidateDiffAndApplyReportASymlinkLoop|"
     r"SymlinkLoopInALaterRevision|UnloadableSourceStaysUnready).*"),
    ("metrics port", "300 half-open connections at a 200-descriptor limit: EMFILE busy loop",
     r"ServerLimitsTest\..*|DescriptorLimitTest\..*|"
     r"ControllerHardening\.SilentConnectionsAtADescriptorLimit.*"),
    ("metrics port", "1,000 slowloris connections", r"ControllerHardening\.Slowloris.*"),
    ("metrics port", "/healthz said 200 while the loop was stuck",
     r"ControllerHardening\.ALoopStuckInOneTurn.*"),
    ("failures", "a failure that left no reason (state store errors, exceptions)",
     r"ReconcileErrorTest\..*"),
    ("hangs", "endless distinct `next` links: 21,096 requests in 420 s, silent",
     r"BoundsIT\.(EndlessDistinctNextLinks|ARepeatedNextLink|ANextLinkToAnotherOrigin|"
     r"TheDefaultCaps).*"),
    ("crashes", "150,000-item pages drove apply to 2 GB and bad_alloc",
     r"BoundsIT\.(TheWholeListIsCapped|AHugePage).*|"
     r"Corpus/HostileResponsesIT\.EndsInItsCategoryWithAFitMessage/153_.*"),
    ("hangs", "`Retry-After: 999999`: one list took 240-300 s; --timeout did not bound the run",
     r"BoundsIT\.(RetryAfterNeverOutlives|NothingStartsPast|ARequestInFlightIsAbandoned).*|"
     r"HostileProviderTest\.RetryAfter999999.*|ApplyStopTest\.TimeoutBoundsTheWholeRun"),
    ("signals", "apply died within milliseconds of SIGINT/SIGTERM, leaving a pending create",
     r"Signals/ApplySignalTest\..*|ApplyStopTest\.ASecondSignal.*"),
    ("provider answers", "a create answered 2xx without an id was re-sent every ~37 s",
     r"BoundsIT\.ACreateAnsweredWithoutAnId.*|HostileProviderTest\.ACreateAnsweredWithoutAnId.*"),
    ("provider answers", "the ninth `100 Continue` was taken as the final answer",
     r"BoundsIT\.InterimAnswers.*|"
     r"Corpus/HostileResponsesIT\.EndsInItsCategoryWithAFitMessage/15[012]_.*"),
    ("operations", "`wsctl get` refused while the controller held the state store",
     r"E2eGetHabitsTest\.GetReadsTheStore.*|ReadOnlyStoreTest\..*"),
    ("manifests", "a kustomization.yaml or a Namespace beside the workspaces invalidated the set",
     r"ManifestFixturesTest\.(EverySkipped|AKindless|EveryInvalid).*|"
     r"E2eDiffOutputTest\.ValidateSkips.*"),
    ("plans", "a display name that breaks the pull request comment's table, links or mentions",
     r"PlanRenderTest\.MarkdownEscapes.*|E2eDiffOutputTest\.MarkdownAndJson.*"),
    ("plans", "an unreadable remote shown as create; a paused workspace counted as unchanged",
     r"PlanRenderTest\.PausedAndUnknown.*|PlanWorkspaceTest\.(MarksPaused|MarksAKnownRemote).*|"
     r"E2eDiffOutputTest\.AnUnreadableRemote.*"),
]


def ctest_names(build):
    out = subprocess.run(["ctest", "-N"], cwd=build, capture_output=True, text=True, check=True)
    return [m.group(1) for m in re.finditer(r"Test\s+#\d+: (\S+)", out.stdout)]


def run(build, names):
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as junit:
        path = junit.name
    regex = "^(" + "|".join(re.escape(n) for n in names) + ")$"
    subprocess.run(["ctest", "-j2", "--timeout", "300", "-R", regex, "--output-junit", path],
                   cwd=build, capture_output=True, text=True)
    results = read_junit(path)
    os.unlink(path)
    return results


def read_junit(path):
    results = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        failed = case.find("failure") is not None or case.get("status") not in (None, "run")
        skipped = case.find("skipped") is not None
        results[case.get("name").split()[0]] = "skipped" if skipped else ("failed" if failed else "passed")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default="build")
    parser.add_argument("--markdown")
    parser.add_argument("--json")
    parser.add_argument("--junit", help="results of a ctest run (--output-junit) instead of running")
    args = parser.parse_args()
    build = os.path.abspath(args.bin)
    names = ctest_names(build)
    chosen = {}
    for area, attack, pattern in CASES:
        chosen[attack] = [n for n in names if re.fullmatch(pattern, n)]
    wanted = sorted({n for v in chosen.values() for n in v})
    results = read_junit(args.junit) if args.junit else run(build, wanted)
    rows, ok = [], True
    for area, attack, _ in CASES:
        tests = chosen[attack]
        passed = sum(results.get(n) == "passed" for n in tests)
        skipped = sum(results.get(n) == "skipped" for n in tests)
        good = bool(tests) and passed + skipped == len(tests)
        ok = ok and good
        failed = [n for n in tests if results.get(n) not in ("passed", "skipped")]
        rows.append({"area": area, "attack": attack, "tests": len(tests), "passed": passed,
                     "skipped": skipped, "failed": failed, "result": "held" if good else "FAILED"})
    lines = ["| Area | Attack | Tests | Passed | Result |", "|---|---|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['area']} | {r['attack']} | {r['tests']} | {r['passed']} | {r['result']} |")
    table = "\n".join(lines)
    print(table)
    for r in rows:
        for name in r["failed"]:
            print(f"FAILED: {r['attack']}: {name}", file=sys.stderr)
        if not r["tests"]:
            print(f"FAILED: {r['attack']}: no test matches", file=sys.stderr)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    print("cases: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
