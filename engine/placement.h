/* Where the nodes of a run go: device strings parsed as TensorFlow writes them, devices this
 * machine cannot give checked (an error, or the CPU with a note under soft placement), and, when
 * nodes are placed on tasks, the plan split into one part per rank joined by transfers (TensorFlow's
 * _Send/_Recv partitioning) over the session's communicator. Internal to the engine. */
#ifndef TFC_PLACEMENT_H
#define TFC_PLACEMENT_H

#include "plan.h"

struct tfc_placement_s {
    int rank, size; /* this process among the session's ranks (0 and 1 when alone) */
    bool soft;      /* allow_soft_placement */
    bool *noted;    /* NULL, or whether this session's note went out already (one a session) */
};

/* A device string's parts: "/job:worker/replica:0/task:1/device:CPU:0", "/cpu:0", "/gpu:1", "". */
typedef struct {
    int task;      /* -1: not given */
    bool cpu;      /* the device type is the CPU, or none is given */
    int device_id; /* the device's index, 0 when none is given */
} tfc_device_spec;

/* Parses a device string; false when it is not one. */
bool tfc_device_parse(const char *s, tfc_device_spec *d);

/* The placement pass of tfc_plan_compile, after the steps' inputs are resolved: checks every
 * step's device, and when some node is placed on a task other than 0, gives each step its rank
 * (unplaced nodes go to task 0, the client's), turns the steps of other ranks into receptions of
 * what this rank's steps read, or into nothing, lists what each step of this rank sends, and
 * sets p->split (the rewrites that fuse nodes are then left out). Soft placement notes
 * go to stderr, one line, once while *where->noted is false. */
bool tfc_plan_place(tfc_plan *p, const tfc_graph *g, const tfc_placement *where, tfc_status *st);

/* The message tag of a transfer of node's output index (-1: a control edge). */
int tfc_transfer_tag(int node, int index);

#endif
