"""JUnit XML for CI test-report views: one test suite per file with findings, one failing test case
per finding (the other side in its text); files that could not be checked are test errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from evalparity.findings import Result, details
from evalparity.report.locations import place


def as_xml(result: Result) -> str:
    notebooks = result.notebooks
    root = ET.Element("testsuites", name="evalparity", tests="0", failures="0", errors="0")
    total = failures = errors = 0
    for path, group in groupby(result.findings, key=lambda f: f.location.path):
        findings = list(group)
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(len(findings)),
                              failures=str(len(findings)), errors="0")
        for finding in findings:
            where = place(finding.location, notebooks)
            case = ET.SubElement(suite, "testcase", classname=path,
                                 name=f"{finding.code} {finding.name} at {where.label()}",
                                 file=path, line=str(where.file_line if where.cell is not None else where.line))
            body = [f"{where.label()}: {finding.code} [{finding.severity}] {finding.message}"]
            for related in finding.related:
                body.append(f"{related.kind}: {place(related.location, notebooks).label()}: {related.message}")
            body += details(finding)
            failure = ET.SubElement(case, "failure", type=finding.code, message=finding.message)
            failure.text = "\n".join(body)
        total += len(findings)
        failures += len(findings)
    if result.errors:
        suite = ET.SubElement(root, "testsuite", name="files that could not be checked",
                              tests=str(len(result.errors)), failures="0", errors=str(len(result.errors)))
        for error in result.errors:
            case = ET.SubElement(suite, "testcase", classname=error.path, name=f"check {error.path}")
            ET.SubElement(case, "error", type=error.kind, message=error.message).text = \
                f"{error.path}: {error.kind}: {error.message}"
        total += len(result.errors)
        errors += len(result.errors)
    if total == 0:
        suite = ET.SubElement(root, "testsuite", name="evalparity", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", classname="evalparity",
                      name=f"no findings in {result.files_checked} files")
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def render(result: Result, sources, echo, *, quiet: bool) -> None:
    echo(as_xml(result))
