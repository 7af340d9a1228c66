package fetchtest

import "time"

// DemoRecordings is a realistic mix for `archive demo`: uploaded recordings with and without audio, a
// track recording, one still recording, one uploading, one errored, one uploaded without a RealtimeKit
// copy, one from four days ago, and API warts (file_size as a string, the older timestamp form). Media is a few MB each.
func DemoRecordings(now time.Time) []Recording {
	t := func(hoursAgo int) time.Time {
		return now.Add(-time.Duration(hoursAgo) * time.Hour).Truncate(time.Millisecond)
	}
	const mb = 1 << 20
	return []Recording{
		{ID: UUID(1), MeetingID: UUID(101), Status: "UPLOADED", OutputFileName: "weekly-sync_1764000000000.mp4", MediaSize: 6 * mb, AudioSize: 1 * mb, Invoked: t(20)},
		{ID: UUID(2), MeetingID: UUID(102), Status: "UPLOADED", OutputFileName: "customer call (EU).mp4", MediaSize: 4*mb + 123, Invoked: t(18), FileSizeAsString: true},
		{ID: UUID(3), MeetingID: UUID(103), Status: "UPLOADED", OutputFileName: "standup.mp4", MediaSize: 3 * mb, Invoked: t(12), SpaceTimestamps: true,
			Expiry: now.Add(30 * time.Hour)},
		{ID: UUID(4), MeetingID: UUID(104), Status: "UPLOADED", Invoked: t(10), Tracks: []Track{
			{Layer: "participant-alice", File: "audio.webm", Size: mb / 2},
			{Layer: "participant-alice", File: "video.webm", Size: 2 * mb},
			{Layer: "participant-bob", File: "video.webm", Size: 2 * mb},
		}},
		{ID: UUID(5), MeetingID: UUID(105), Status: "RECORDING", Invoked: t(1)},
		{ID: UUID(6), MeetingID: UUID(106), Status: "UPLOADING", Invoked: t(2)},
		{ID: UUID(7), MeetingID: UUID(107), Status: "ERRORED", Invoked: t(8)},
		{ID: UUID(8), MeetingID: UUID(108), Status: "UPLOADED", OutputFileName: "board.mp4", Invoked: t(6), NoDownloadURL: true,
			StorageConfig: map[string]any{"type": "aws", "bucket": "customer-bucket", "region": "us-east-1", "path": "rtk", "access_key": "AKIADEMO", "secret": "demo-secret-never-stored"}},
		// Four days old and expiring in three: a nightly run that missed nights still catches it up.
		{ID: UUID(9), MeetingID: UUID(109), Status: "UPLOADED", OutputFileName: "retro.mp4", MediaSize: 2 * mb, Invoked: t(96)},
	}
}
