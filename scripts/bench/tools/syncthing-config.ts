/**
 * config.xml for one benchmark Syncthing instance. Written whole rather than
 * patched so every setting that could send traffic off the machine or skew
 * timing is stated here: no discovery, relays, NAT, usage or crash reports,
 * upgrades; normal CPU priority; the fs watcher with a 1 s delay.
 */
export interface SyncthingPeer {
  id: string;
  name: string;
  /** e.g. tcp://127.0.0.1:22001 */
  address: string;
}

export interface SyncthingInstanceConfig {
  selfId: string;
  selfName: string;
  /** Every other device sharing the folder (the benchmark's devices form a full mesh). */
  peers: readonly SyncthingPeer[];
  /** e.g. tcp://127.0.0.1:22000 */
  listenAddress: string;
  /** host:port, or an absolute path for a unix socket. */
  guiAddress: string;
  apiKey: string;
  folderId: string;
  folderPath: string;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function device(id: string, name: string, address: string): string {
  return `    <device id="${id}" name="${escapeXml(name)}" compression="metadata" introducer="false" skipIntroductionRemovals="false" introducedBy="">
        <address>${address}</address>
        <paused>false</paused>
        <autoAcceptFolders>false</autoAcceptFolders>
    </device>`;
}

export function syncthingConfigXml(c: SyncthingInstanceConfig): string {
  return `<configuration version="36">
    <folder id="${c.folderId}" label="bench" path="${escapeXml(c.folderPath)}" type="sendreceive" rescanIntervalS="3600" fsWatcherEnabled="true" fsWatcherDelayS="1" ignorePerms="false" autoNormalize="true">
        <filesystemType>basic</filesystemType>
        <device id="${c.selfId}" introducedBy=""></device>
${c.peers.map((p) => `        <device id="${p.id}" introducedBy=""></device>`).join('\n')}
        <minDiskFree unit="%">0</minDiskFree>
        <markerName>.stfolder</markerName>
        <paused>false</paused>
    </folder>
${device(c.selfId, c.selfName, 'dynamic')}
${c.peers.map((p) => device(p.id, p.name, p.address)).join('\n')}
    <gui enabled="true" tls="false" debugging="false">
        <address>${escapeXml(c.guiAddress)}</address>
        <apikey>${c.apiKey}</apikey>
        <theme>default</theme>
    </gui>
    <options>
        <listenAddress>${escapeXml(c.listenAddress)}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <startBrowser>false</startBrowser>
        <urAccepted>-1</urAccepted>
        <urSeen>3</urSeen>
        <crashReportingEnabled>false</crashReportingEnabled>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <announceLANAddresses>false</announceLANAddresses>
        <setLowPriority>false</setLowPriority>
        <minHomeDiskFree unit="%">0</minHomeDiskFree>
        <reconnectionIntervalS>1</reconnectionIntervalS>
        <progressUpdateIntervalS>-1</progressUpdateIntervalS>
    </options>
</configuration>
`;
}
