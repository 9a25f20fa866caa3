/* The worker side of the runner: see worker.h. */
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/json_safe.h"
#include "../../core/log.h"
#include "../../core/record.h"
#include "../../core/topo.h"
#include "casejob.h"

const char *mt_worker_exit_text(int status)
{
	switch (status) {
	case MT_WORKER_OK: return "ok";
	case MT_WORKER_WRITE: return "its output could not be written";
	case MT_WORKER_BAD_JOB: return "no job, or a malformed one";
	case MT_WORKER_ORPHAN: return "the runner was gone";
	case MT_WORKER_NO_EXEC:
		return "the worker program could not be started";
	}
	return "unknown";
}

static json_t *read_job(int fd)
{
	json_error_t jerr;
	FILE *f = fdopen(fd, "r");
	json_t *job;

	if (!f)
		return NULL;
	job = mt_json_loadf(f, 0, &jerr);
	fclose(f);
	return job;
}

/* Writes the summary line: how many records went and how many failed. */
static int summary(const struct mt_emit *out)
{
	return dprintf(out->fd, "{\"worker\":{\"records\":%d,\"failed\":%d}}\n",
		       out->records, out->failed) > 0 ?
		       0 :
		       -1;
}

/* Fails the case with a record, so the runner shows why. */
static int fail_job(struct mt_emit *out, const char *bench, json_t *kase,
		    const char *why)
{
	if (mt_emit_record(out, NULL,
			   mt_record_status(bench, NULL, kase, "failed", why)) <
		    0 ||
	    summary(out) < 0)
		return MT_WORKER_WRITE;
	return MT_WORKER_BAD_JOB;
}

int mt_worker_main(int job_fd, int out_fd)
{
	json_t *job = read_job(job_fd);
	struct mt_emit out = { .fd = out_fd };
	struct mt_case_value v;
	struct mt_err err = { 0 };
	struct mt_sampling sp;
	struct mt_topo *topo = NULL;
	int status;

	if (!job)
		return fail_job(&out, "unknown", NULL,
				"worker: no job on its "
				"input (is this 'memtune __worker' run by "
				"hand? it is internal)");
	if (mt_case_value_load(job, &v, &err) < 0) {
		const char *b = json_string_value(json_object_get(job,
								  "bench"));

		status = fail_job(&out, b ? b : "unknown",
				  json_object_get(json_object_get(job, "case"),
						  "params"),
				  err.msg);
		mt_case_value_free(&v);
		json_decref(job);
		return status;
	}
	json_decref(job);
	/* Pin first, so nothing of the case runs on another CPU. */
	if (mt_topo_load(&topo, &err) == 0 &&
	    mt_topo_pin(topo, v.env.cpu, &err) < 0)
		mt_warn("%s: %s", v.section, err.msg);
	mt_topo_destroy(topo);
	sp = mt_sampling_from(v.global);
	status = mt_measure_case(v.job.bench, v.variant, &v.env, &v.c, &sp,
				 &out) < 0 ||
				 summary(&out) < 0 ?
			 MT_WORKER_WRITE :
			 MT_WORKER_OK;
	mt_case_value_free(&v);
	return status;
}
