-- The control-plane schema: runs and their lineage, the audit of state changes, metric series
-- and points, checkpoints, eval results and API tokens. Forward-only: change it with a new
-- V<n>__*.sql, never by editing an applied migration.

-- A run is one MM1Training or MM1Eval. parent_run_id is the lineage edge: SFT -> pre-training,
-- eval -> the training whose checkpoint it scores.
CREATE TABLE run (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id       text        NOT NULL UNIQUE,
    name              text        NOT NULL,
    namespace         text        NOT NULL,
    kind              text        NOT NULL CHECK (kind IN ('Training', 'Eval')),
    parent_run_id     bigint      REFERENCES run (id),
    state             text        NOT NULL DEFAULT 'Pending'
        CHECK (state IN ('Pending', 'Running', 'Restarting', 'Suspended', 'Succeeded', 'Failed', 'Cancelled')),
    spec              jsonb       NOT NULL DEFAULT '{}',
    -- spec.optimization.steps, copied out for the progress bar of the runs list
    total_steps       bigint,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- Latest progress, maintained by metric ingestion so the runs list needs no metric scan.
    last_step         bigint,
    last_loss         double precision,
    last_loss_step    bigint,
    last_tokens_per_s double precision,
    last_tokens_step  bigint,
    CHECK (parent_run_id IS NULL OR parent_run_id <> id)
);
CREATE INDEX run_parent_idx ON run (parent_run_id);
CREATE INDEX run_created_idx ON run (created_at DESC, id DESC);
CREATE INDEX run_namespace_name_idx ON run (namespace, name);

-- Audit trail: every state change, who made it and why.
CREATE TABLE run_state_change (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id     bigint      NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    from_state text,
    to_state   text        NOT NULL,
    reason     text,
    message    text,
    actor      text        NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX run_state_change_run_idx ON run_state_change (run_id, changed_at);

-- One named series of one run ("loss", "moe/layer3/expert_load/7"). Points refer to it by a
-- 4-byte id, so the name is stored once per series, not once per point.
CREATE TABLE metric_series (
    id     integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    name   text   NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    UNIQUE (run_id, name)
);

-- Metric points: the big table (hundreds of millions of rows). 28 bytes of data per row, columns
-- ordered so that nothing is padded. Hash-partitioned by series so that each partition's index
-- stays small and ingestion of different runs spreads over partitions. The primary key is the
-- idempotency key of ingestion and the only access path (a series' step range); long ranges are
-- read from metric_rollup instead. No foreign key to metric_series: it
-- would cost a lookup per inserted row; series are only ever created, never deleted.
CREATE TABLE metric_point (
    step        bigint           NOT NULL,
    value       double precision NOT NULL,
    recorded_at timestamptz      NOT NULL,
    series_id   integer          NOT NULL,
    PRIMARY KEY (series_id, step)
) PARTITION BY HASH (series_id);

DO $$
BEGIN
    FOR i IN 0..15 LOOP
        -- Insert-mostly partitions: vacuum them often enough that the visibility map stays
        -- current (index-only bound lookups).
        EXECUTE format('CREATE TABLE metric_point_p%s PARTITION OF metric_point '
                       'FOR VALUES WITH (MODULUS 16, REMAINDER %s) '
                       'WITH (autovacuum_vacuum_insert_scale_factor = 0.02)', i, i);
    END LOOP;
END
$$;

-- Min/max summaries of metric points per bucket of `width` steps (64, and 4096 built from the
-- 64s), kept current by ingestion. A downsampled query over a long range reads these instead of
-- every point: 1 000 000 points are 15 625 rows of width 64. Each row keeps the extremes with
-- their steps, so downsampling from them still returns every bucket's true min and max.
CREATE TABLE metric_rollup (
    series_id integer          NOT NULL,
    width     integer          NOT NULL CHECK (width > 1),
    bucket    bigint           NOT NULL, -- step / width
    min_value double precision NOT NULL,
    min_step  bigint           NOT NULL,
    max_value double precision NOT NULL,
    max_step  bigint           NOT NULL,
    points    integer          NOT NULL,
    PRIMARY KEY (series_id, width, bucket)
);

-- A committed checkpoint of a training run.
CREATE TABLE checkpoint (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       bigint      NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    step         bigint      NOT NULL CHECK (step >= 0),
    uri          text        NOT NULL,
    sha256       text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    bytes        bigint      NOT NULL CHECK (bytes >= 0),
    committed_at timestamptz NOT NULL,
    UNIQUE (run_id, step)
);

-- One score of an eval run: a benchmark at a shot count, for the checkpoint it evaluated.
CREATE TABLE eval_result (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    eval_run_id     bigint           NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    checkpoint_id   bigint           REFERENCES checkpoint (id),
    checkpoint_step bigint,
    benchmark       text             NOT NULL,
    dataset         text             NOT NULL DEFAULT '',
    shots           integer          NOT NULL CHECK (shots >= 0),
    metric          text             NOT NULL,
    value           double precision NOT NULL,
    samples         integer          NOT NULL CHECK (samples >= 0),
    recorded_at     timestamptz      NOT NULL DEFAULT now(),
    UNIQUE (eval_run_id, benchmark, dataset, shots, metric)
);
CREATE INDEX eval_result_checkpoint_idx ON eval_result (checkpoint_id);
CREATE INDEX eval_result_benchmark_idx ON eval_result (benchmark, shots, metric);

-- API tokens. Only the sha256 of a token is stored: tokens are 256-bit random strings, so a
-- fast hash is enough (no dictionary to guess from). run_id restricts an ingest token to one run.
CREATE TABLE api_token (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text        NOT NULL,
    token_sha256 bytea       NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    scopes       text[]      NOT NULL CHECK (scopes <@ ARRAY ['read', 'ingest', 'evals', 'admin'] AND cardinality(scopes) > 0),
    run_id       bigint      REFERENCES run (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz
);
