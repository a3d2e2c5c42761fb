'use strict';
// Runs the sdw CLI for serverless.yml: `sdw deploy render` (the generated sections) and
// `sdw deploy finalize` (nested stacks, layer). Python does the work; this file only runs it
// (an argument list, never a shell string) and parses its JSON. A failure is thrown with the
// CLI's own message, which osls prints.

const path = require('path');
const { execFileSync } = require('child_process');

const projectDir = path.resolve(__dirname, '..', '..');
const python = process.env.SDW_PYTHON || path.join(projectDir, '.venv', 'bin', 'python');
const rendered = new Map();

function runSdw(args, input) {
  try {
    return JSON.parse(
      execFileSync(python, ['-m', 'sdw.cli', ...args, '--project-dir', projectDir], {
        cwd: projectDir,
        input,
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
        stdio: ['pipe', 'pipe', 'inherit'],
      })
    );
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw new Error(`${python} not found: run \`make setup\` first (or set SDW_PYTHON)`);
    }
    throw new Error(`sdw ${args.slice(0, 2).join(' ')} failed (its message is above)`);
  }
}

// The sections of one stage, rendered once per osls run however often serverless.yml asks.
function render(stage) {
  if (!rendered.has(stage)) rendered.set(stage, runSdw(['deploy', 'render', '--stage', stage]));
  return rendered.get(stage);
}

function finalize(request, outDir) {
  return runSdw(['deploy', 'finalize', '--out', outDir], JSON.stringify(request));
}

module.exports = { render, finalize, projectDir };
