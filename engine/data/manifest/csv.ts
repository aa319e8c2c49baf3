import { parse } from 'csv-parse/sync';
import { excerpt, excerptList } from '../excerpt';
import { DatasetError, IssueLog } from '../issues';
import { float32Expectation, looksLikePath, modalityNameProblem, parseNumberCell, parseSplitCell } from './cells';
import type { Cell, ManifestSample, ModalityDeclaration, ReadManifestOptions } from './types';

const RESERVED = new Set(['label', 'id', 'split']);

interface CsvColumns {
  labelIndex: number;
  idIndex: number;
  splitIndex: number;
  modalities: ModalityDeclaration[];
  /** For each modality, the header index of each of its columns (one for a file modality). */
  columnIndexes: Map<string, number[]>;
}

/**
 * Reads `manifest.csv`: a header row, then one sample per row.
 * `NAME.FEATURE` columns form vector modality NAME (features in column order); any other column that is not
 * `label`, `id` or `split` is a file modality whose cells are relative paths.
 */
export function readCsvManifest(
  text: string,
  file: string,
  options: ReadManifestOptions,
  log: IssueLog,
): { samples: ManifestSample[]; modalities: ModalityDeclaration[] } {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      relax_column_count: true,
      info: true,
      skip_empty_lines: true,
      bom: true,
    }) as unknown as typeof rows;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new DatasetError({
      code: 'manifest-parse',
      file,
      row: line,
      message: `${file} could not be read as CSV${line ? ` (at line ${line})` : ''}: ${(error as Error).message}. Check the quoting around that line: a field that contains a comma or a quote must be wrapped in double quotes, with inner quotes doubled.`,
    });
  }
  const header = rows[0];
  if (!header || rows.length < 2) {
    throw new DatasetError({
      code: 'manifest-empty',
      file,
      message: `${file} has ${header ? 'a header but no rows' : 'no header and no rows'}; expected a header line (label, id, split and modality columns) followed by one row per sample.`,
    });
  }
  const columns = classifyColumns(
    header.record.map((name) => name.trim()),
    rows.slice(1),
    file,
    options,
    log,
  );
  const samples: ManifestSample[] = [];
  for (const [index, { record, info }] of rows.slice(1).entries()) {
    const sample = readRow(record, info.lines, index + 1, header.record.length, columns, file, options, log);
    if (sample) samples.push(sample);
  }
  return { samples, modalities: columns.modalities };
}

function classifyColumns(
  names: string[],
  dataRows: { record: string[] }[],
  file: string,
  options: ReadManifestOptions,
  log: IssueLog,
): CsvColumns {
  const seen = new Set<string>();
  for (const [index, name] of names.entries()) {
    if (name === '') {
      throw new DatasetError({
        code: 'bad-column',
        file,
        row: 1,
        message: `${file} line 1: column ${index + 1} has no name; every column needs a header (label, id, split, NAME.FEATURE or a file modality NAME).`,
      });
    }
    if (seen.has(name)) {
      throw new DatasetError({
        code: 'bad-column',
        file,
        row: 1,
        column: name,
        message: `${file} line 1: column "${name}" appears twice; each column name must be unique. Rename or remove one of them.`,
      });
    }
    seen.add(name);
  }
  const labelIndex = names.indexOf('label');
  if (labelIndex < 0 && options.requireLabels) {
    throw new DatasetError({
      code: 'missing-label',
      file,
      row: 1,
      message: `${file} line 1: no "label" column among its ${names.length} column${names.length === 1 ? '' : 's'} (${excerptList(names)}); expected a column named "label" holding each sample's class name.`,
    });
  }
  const modalities: ModalityDeclaration[] = [];
  const columnIndexes = new Map<string, number[]>();
  for (const [index, name] of names.entries()) {
    if (RESERVED.has(name)) continue;
    const dot = name.indexOf('.');
    const modality = dot > 0 ? name.slice(0, dot) : name;
    const nameProblem = modalityNameProblem(modality);
    if (nameProblem)
      throw new DatasetError({
        code: 'bad-column',
        file,
        row: 1,
        column: name,
        message: `${file} line 1: column "${name}": "${modality}" ${nameProblem}.`,
      });
    const existing = columnIndexes.get(modality);
    if (dot > 0) {
      if (existing && modalities.find((m) => m.name === modality)?.source !== 'columns') {
        throw clash(file, modality, name);
      }
      if (existing) {
        existing.push(index);
        modalities.find((m) => m.name === modality)?.columns?.push(name);
      } else {
        columnIndexes.set(modality, [index]);
        modalities.push({ name: modality, source: 'columns', columns: [name] });
      }
      continue;
    }
    if (existing) throw clash(file, modality, name);
    const numericCell = dataRows.find((row) => {
      const cell = row.record[index];
      return cell !== undefined && cell.trim() !== '' && !looksLikePath(cell);
    });
    if (numericCell) {
      log.error({
        code: 'bad-column',
        file,
        column: name,
        message: `${file}: column "${name}" holds ${excerpt(numericCell.record[index] ?? '')}, which is not a file path. Columns without a dot name a file modality (cells like images/0001.png); name the columns of a vector modality NAME.FEATURE, e.g. "${name}.f1".`,
      });
    }
    columnIndexes.set(modality, [index]);
    modalities.push({ name: modality, source: 'files' });
  }
  return {
    labelIndex,
    idIndex: names.indexOf('id'),
    splitIndex: names.indexOf('split'),
    modalities,
    columnIndexes,
  };
}

function clash(file: string, modality: string, column: string): DatasetError {
  return new DatasetError({
    code: 'bad-column',
    file,
    row: 1,
    column,
    message: `${file} line 1: column "${column}" makes "${modality}" both a file modality (column "${modality}") and a vector modality ("${modality}.FEATURE" columns). Rename one of them.`,
  });
}

function readRow(
  record: string[],
  line: number,
  rowNumber: number,
  fieldCount: number,
  columns: CsvColumns,
  file: string,
  options: ReadManifestOptions,
  log: IssueLog,
): ManifestSample | null {
  const id = columns.idIndex >= 0 ? (record[columns.idIndex] ?? '').trim() : String(rowNumber);
  const where = `${file} line ${line}`;
  if (record.length !== fieldCount) {
    log.error({
      code: 'wrong-field-count',
      file,
      row: line,
      sampleId: id || undefined,
      message: `${where} has ${record.length} field${record.length === 1 ? '' : 's'}; the header has ${fieldCount}. Add or remove commas so every row has one field per column (quote fields that contain commas).`,
    });
    return null;
  }
  if (id === '') {
    log.error({
      code: 'bad-column',
      file,
      row: line,
      column: 'id',
      message: `${where}: the "id" cell is empty; give every sample a unique id, or drop the "id" column to number rows automatically.`,
    });
    return null;
  }
  const sampleName = `Sample "${id}" (${where})`;
  const label = columns.labelIndex >= 0 ? (record[columns.labelIndex] ?? '').trim() : '';
  let ok = true;
  if (label === '' && options.requireLabels) {
    log.error({
      code: 'missing-label',
      file,
      row: line,
      sampleId: id,
      column: 'label',
      message: `${sampleName}: the "label" cell is empty; give the sample's class name.`,
    });
    ok = false;
  }
  let split: ManifestSample['split'] = null;
  if (columns.splitIndex >= 0) {
    const cell = record[columns.splitIndex] ?? '';
    const parsed = parseSplitCell(cell);
    if (!parsed) {
      log.error({
        code: 'bad-split',
        file,
        row: line,
        sampleId: id,
        column: 'split',
        message: `${sampleName}: split is ${excerpt(cell)}; expected train, val or test (or drop the split column to split automatically).`,
      });
      ok = false;
    } else split = parsed;
  }
  const cells = new Map<string, Cell>();
  for (const modality of columns.modalities) {
    const indexes = columns.columnIndexes.get(modality.name) ?? [];
    if (modality.source === 'files') {
      cells.set(modality.name, { type: 'file', path: (record[indexes[0] ?? -1] ?? '').trim() });
      continue;
    }
    const values: number[] = [];
    for (const [featureIndex, columnIndex] of indexes.entries()) {
      const cell = record[columnIndex] ?? '';
      const parsed = parseNumberCell(cell);
      if (parsed.ok) {
        values.push(parsed.value);
        continue;
      }
      const column = modality.columns?.[featureIndex] ?? modality.name;
      log.error({
        code: parsed.reason === 'non-finite' || parsed.reason === 'beyond-float32' ? 'non-finite' : 'non-numeric',
        file,
        row: line,
        sampleId: id,
        column,
        message:
          parsed.reason === 'empty'
            ? `${sampleName}: column "${column}" is empty; expected a number. Fill in the value (or remove the sample).`
            : parsed.reason === 'beyond-float32'
              ? `${sampleName}: column "${column}" is ${excerpt(cell.trim())}; ${float32Expectation(Number(cell))}.`
              : `${sampleName}: column "${column}" is ${excerpt(cell.trim())}; expected a finite decimal number.`,
      });
      ok = false;
    }
    cells.set(modality.name, { type: 'numbers', values });
  }
  return ok ? { id, label: label === '' ? null : label, split, file, line, cells } : null;
}
