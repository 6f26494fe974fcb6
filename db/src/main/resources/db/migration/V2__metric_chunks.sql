-- Metric points move into chunks: a row per series and ingested batch (small ones grow by the next
-- batches up to 128 points), holding the points in three parallel arrays ordered by step. Storing 1 000 points is then one row and
-- one index entry instead of 1 000 of each: a sixth of the database's work per batch (measured on
-- 2 cores: 0.6 ms against 3.3 ms per 1 000 points), and 24 bytes per point on disk instead of
-- about 80 with the index.
--
-- The chunks of a series cover disjoint step ranges, and steps ascend strictly within a chunk, so
-- (series, step) stays the unique key of a point. The control plane keeps this: writers of a
-- series hold its advisory lock while they check for overlap and write (MetricRepository).
CREATE TABLE metric_chunk (
    series_id  integer            NOT NULL,
    first_step bigint             NOT NULL,
    last_step  bigint             NOT NULL,
    steps      bigint[]           NOT NULL,
    vals       double precision[] NOT NULL,
    times_us   bigint[]           NOT NULL, -- when each point was recorded, in microseconds since 1970
    PRIMARY KEY (series_id, first_step),
    CHECK (first_step <= last_step),
    CHECK (cardinality(steps) > 0 AND cardinality(vals) = cardinality(steps)
           AND cardinality(times_us) = cardinality(steps))
);
-- Overlap checks and range bounds find the first chunk ending at or after a step: one index probe.
CREATE INDEX metric_chunk_last_step ON metric_chunk (series_id, last_step);
-- Arrays are stored out of line but uncompressed: pglz compression cost more than the insert
-- itself, and float arrays compress poorly.
ALTER TABLE metric_chunk
    ALTER COLUMN steps SET STORAGE EXTERNAL,
    ALTER COLUMN vals SET STORAGE EXTERNAL,
    ALTER COLUMN times_us SET STORAGE EXTERNAL;

-- The points stored so far, in chunks of 1 000-step ranges of their series.
INSERT INTO metric_chunk (series_id, first_step, last_step, steps, vals, times_us)
SELECT series_id, min(step), max(step), array_agg(step ORDER BY step), array_agg(value ORDER BY step),
       array_agg((extract(epoch FROM recorded_at) * 1000000)::bigint ORDER BY step)
FROM metric_point
GROUP BY series_id, step / 1000;

DROP TABLE metric_point;

-- A rollup level between 64 and 4 096 steps (each level is now 8 times the one before): a
-- downsampled query reads at most about 8 rollup rows per bucket it returns (a 1 000-point query
-- over 1 000 000 steps: 1 953 rows of width 512 instead of 15 625 of width 64). Built from the 64s.
INSERT INTO metric_rollup (series_id, width, bucket, min_value, min_step, max_value, max_step, points)
SELECT series_id, 512, bucket, lo[1], lo[2]::bigint, hi[1], hi[2]::bigint, n
FROM (SELECT series_id, bucket / 8 AS bucket,
             min(ARRAY[min_value, min_step::float8]) AS lo,
             max(ARRAY[max_value, max_step::float8]) AS hi,
             sum(points)::int AS n
      FROM metric_rollup WHERE width = 64
      GROUP BY series_id, bucket / 8) AS coarser;
