-- Deleting a workflow is permanent now (docs/api.md §2): the workflows an earlier version marked deleted go, with
-- their definition versions, so their ids are free. Their runs keep the name and definition they ran with.
DELETE FROM workflow_versions
WHERE EXISTS (SELECT 1 FROM workflows w WHERE w.org_id = workflow_versions.org_id AND w.id = workflow_versions.workflow_id AND w.status = 'deleted');
DELETE FROM workflows WHERE status = 'deleted';
