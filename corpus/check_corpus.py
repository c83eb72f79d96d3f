#!/usr/bin/env python3
"""Validate the labelled failure-log corpus (stdlib only).

Usage: python3 corpus/check_corpus.py [path/to/taxonomy.md]

Checks every corpus/*.jsonl file:
  - each line parses as a JSON object with the required fields;
  - ids are unique across all files;
  - the referenced log file exists (relative to the corpus directory) and is not empty;
  - category and fix_class are labels of the two tables in taxonomy.md;
  - every entity value is a verbatim substring of its log.
Prints the number of cases per category and the number of hard cases.
Exits with status 1 when any check fails.
"""
import collections
import glob
import json
import os
import re
import sys

CORPUS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(CORPUS_DIR)
DEFAULT_TAXONOMY = os.path.join(REPO_ROOT, '..', 'shared', 'design', 'taxonomy.md')
REQUIRED = ('id', 'log', 'category', 'fix_class', 'entities', 'hard')


def read_table_labels(text, heading):
    """Return the backticked first-column labels of the markdown table under `heading`."""
    labels = []
    in_section = False
    for line in text.splitlines():
        if line.startswith('## '):
            in_section = line.strip() == heading
            continue
        if not in_section:
            continue
        m = re.match(r'^\|\s*`([^`]+)`\s*\|', line)
        if m:
            labels.append(m.group(1))
    return labels


def main(argv):
    taxonomy_path = argv[1] if len(argv) > 1 else DEFAULT_TAXONOMY
    try:
        with open(taxonomy_path, encoding='utf-8') as fh:
            taxonomy = fh.read()
    except OSError as e:
        print(f'cannot read taxonomy {taxonomy_path}: {e}')
        return 1
    categories = set(read_table_labels(taxonomy, '## Categories'))
    fix_classes = set(read_table_labels(taxonomy, '## Fix classes'))
    if not categories or not fix_classes:
        print(f'could not parse the category/fix-class tables of {taxonomy_path}')
        return 1

    errors = []
    seen_ids = {}
    per_category = collections.Counter()
    hard = 0
    total = 0
    files = sorted(glob.glob(os.path.join(CORPUS_DIR, '*.jsonl')))
    if not files:
        errors.append(f'no *.jsonl file in {CORPUS_DIR}')
    for path in files:
        name = os.path.basename(path)
        with open(path, encoding='utf-8') as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                where = f'{name}:{lineno}'
                try:
                    rec = json.loads(raw)
                except json.JSONDecodeError as e:
                    errors.append(f'{where}: invalid JSON ({e})')
                    continue
                if not isinstance(rec, dict):
                    errors.append(f'{where}: not a JSON object')
                    continue
                missing = [k for k in REQUIRED if k not in rec]
                if missing:
                    errors.append(f'{where}: missing fields {missing}')
                    continue
                cid = rec['id']
                where = f'{name}:{lineno} ({cid})'
                total += 1
                if cid in seen_ids:
                    errors.append(f'{where}: duplicate id, first seen in {seen_ids[cid]}')
                else:
                    seen_ids[cid] = f'{name}:{lineno}'
                if rec['category'] not in categories:
                    errors.append(f'{where}: unknown category {rec["category"]!r}')
                if rec['fix_class'] not in fix_classes:
                    errors.append(f'{where}: unknown fix_class {rec["fix_class"]!r}')
                if not isinstance(rec['hard'], bool):
                    errors.append(f'{where}: "hard" must be true or false')
                elif rec['hard']:
                    hard += 1
                per_category[rec['category']] += 1

                log_rel = rec['log']
                log_path = os.path.normpath(os.path.join(CORPUS_DIR, log_rel))
                if os.path.isabs(log_rel) or not log_path.startswith(CORPUS_DIR + os.sep):
                    errors.append(f'{where}: log path must be relative to the corpus directory: {log_rel}')
                    continue
                if not os.path.isfile(log_path):
                    errors.append(f'{where}: log file not found: {log_rel}')
                    continue
                with open(log_path, encoding='utf-8', errors='replace') as lf:
                    text = lf.read()
                if not text.strip():
                    errors.append(f'{where}: log file is empty: {log_rel}')
                ents = rec['entities']
                if not isinstance(ents, dict):
                    errors.append(f'{where}: entities must be an object')
                    continue
                for key, value in ents.items():
                    if not isinstance(value, str) or not value:
                        errors.append(f'{where}: entity {key} must be a non-empty string')
                    elif value not in text:
                        errors.append(f'{where}: entity {key}={value!r} is not in {log_rel}')

    print(f'{total} cases in {len(files)} file(s), {hard} hard')
    for cat in sorted(categories):
        print(f'  {per_category.get(cat, 0):3d}  {cat}')
    unused = sorted(c for c in categories if per_category.get(c, 0) == 0)
    if unused:
        print('categories without cases: ' + ', '.join(unused))
    if errors:
        print(f'{len(errors)} error(s):')
        for e in errors:
            print('  ' + e)
        return 1
    print('OK')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
