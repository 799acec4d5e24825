'use strict';
/**
 * One CloudWatch alarm per Lambda function: errors or throttles (metric math
 * `errors + throttles`, Sum over 5 minutes, >= 1 in 2 of 3 periods), notifying
 * `AlarmTopic` (infra/alarms.yml). Generated from the functions' own
 * `function.yml` files, so a new function gets its alarm without an edit here.
 *
 * Used by serverless.yml as `${file(./infra/function-alarms.js)}` (a JavaScript
 * variable source: Serverless calls the exported function while resolving the config).
 */
const fs = require('node:fs');
const path = require('node:path');

const FUNCTIONS_DIR = path.join(__dirname, '..', 'functions');

/** The function names (the first key of each function.yml), sorted. */
function functionNames() {
  const names = [];
  for (const surface of fs.readdirSync(FUNCTIONS_DIR)) {
    for (const fn of fs.readdirSync(path.join(FUNCTIONS_DIR, surface))) {
      const file = path.join(FUNCTIONS_DIR, surface, fn, 'function.yml');
      if (!fs.existsSync(file)) continue;
      const first = fs.readFileSync(file, 'utf8').split('\n').find((line) => /^[A-Za-z0-9]+:/.test(line));
      if (first) names.push(first.slice(0, first.indexOf(':')));
    }
  }
  return names.sort();
}

/** Serverless' logical id of a function's AWS::Lambda::Function (`objectCreated` → `ObjectCreatedLambdaFunction`). */
function logicalId(name) {
  return `${name[0].toUpperCase()}${name.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore')}LambdaFunction`;
}

function lambdaMetric(id, metricName, functionLogicalId) {
  return {
    Id: id,
    ReturnData: false,
    MetricStat: {
      Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId } }] },
      Period: 300,
      Stat: 'Sum',
    },
  };
}

module.exports = () => {
  const Resources = {};
  for (const name of functionNames()) {
    const fn = logicalId(name);
    Resources[`${fn.replace(/LambdaFunction$/, '')}ErrorsAlarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: { 'Fn::Sub': `Lambda \${${fn}} failed or was throttled (errors + throttles >= 1 in 2 of 3 five-minute periods).` },
        Metrics: [
          lambdaMetric('errors', 'Errors', fn),
          lambdaMetric('throttles', 'Throttles', fn),
          { Id: 'failures', Label: 'errors + throttles', Expression: 'errors + throttles', ReturnData: true },
        ],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
        OKActions: [{ Ref: 'AlarmTopic' }],
      },
    };
  }
  return { Resources };
};

module.exports.functionNames = functionNames;
module.exports.logicalId = logicalId;
