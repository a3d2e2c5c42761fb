'use strict';
// serverless.yml pulls its generated sections from here, e.g.
//   functions: ${file(./scripts/serverless/sections.js):functions}
// osls calls this function for each such variable; sdw.js renders the stage once.

const { render } = require('./sdw');

module.exports = async ({ resolveVariable }) => render(await resolveVariable('self:provider.stage'));
