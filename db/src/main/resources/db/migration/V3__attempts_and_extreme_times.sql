-- The attempt a state change belongs to: a gang restart or a resume after suspension starts the
-- next attempt. Reporters (operator, trainer) may say which; when one did not (null), the control
-- plane infers it from the order of the states (the goodput panel splits a run by attempt).
ALTER TABLE run_state_change ADD COLUMN attempt integer CHECK (attempt >= 1);

-- When each rollup bucket's minimum and maximum were recorded (microseconds since 1970), so that a
-- downsampled query returns every point with its time (charts against wall time) from the rollups
-- alone, as it returns its step.
ALTER TABLE metric_rollup ADD COLUMN min_time_us bigint, ADD COLUMN max_time_us bigint;

-- The rollups stored so far: the times of their extremes, read from the points (one pass over them).
UPDATE metric_rollup r SET min_time_us = p.t
FROM (SELECT c.series_id, u.st, u.t FROM metric_chunk c, unnest(c.steps, c.times_us) AS u(st, t)) AS p
WHERE p.series_id = r.series_id AND p.st = r.min_step;
UPDATE metric_rollup r SET max_time_us = p.t
FROM (SELECT c.series_id, u.st, u.t FROM metric_chunk c, unnest(c.steps, c.times_us) AS u(st, t)) AS p
WHERE p.series_id = r.series_id AND p.st = r.max_step;

-- Every extreme is a stored point, so every row has both times now.
ALTER TABLE metric_rollup ALTER COLUMN min_time_us SET NOT NULL, ALTER COLUMN max_time_us SET NOT NULL;
