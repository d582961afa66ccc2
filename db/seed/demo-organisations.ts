import { createRandom } from "./random";

/**
 * The demo's organisations. Every code starts with DEM (no real ODS code does) and every name says "Demo",
 * so nothing here can be mistaken for a real ICB or practice. Postcodes use the non-existent area DM and phone
 * numbers Ofcom's drama range (01632 960xxx).
 */
export const DEMO_REGION = { code: "DEMOR", name: "Demo Region", ons: "E40000099" } as const;

export interface DemoIcb {
  code: string;
  name: string;
  ons: string;
  subIcbs: { code: string; name: string; ons: string; pcns: { code: string; name: string }[] }[];
}

export const DEMO_ICBS: DemoIcb[] = [
  {
    code: "DEMO1",
    name: "NHS Demo Shire Integrated Care Board",
    ons: "E54000991",
    subIcbs: [
      {
        code: "DEMO1A",
        name: "NHS Demo Shire ICB - DEMO1A (North)",
        ons: "E38000991",
        pcns: [
          { code: "DEMPCN01", name: "DEMO NORTH RIVERSIDE PCN" },
          { code: "DEMPCN02", name: "DEMO KINGSMERE PCN" },
          { code: "DEMPCN03", name: "DEMO ASHFORD VALE PCN" },
          { code: "DEMPCN04", name: "DEMO MILLBROOK PCN" },
        ],
      },
      {
        code: "DEMO1B",
        name: "NHS Demo Shire ICB - DEMO1B (South)",
        ons: "E38000992",
        pcns: [
          { code: "DEMPCN05", name: "DEMO SOUTH COAST PCN" },
          { code: "DEMPCN06", name: "DEMO HARBOURSIDE PCN" },
          { code: "DEMPCN07", name: "DEMO WEALD PCN" },
          { code: "DEMPCN08", name: "DEMO CATHEDRAL CITY PCN" },
        ],
      },
    ],
  },
  {
    code: "DEMO2",
    name: "NHS Demo Vale Integrated Care Board",
    ons: "E54000992",
    subIcbs: [
      {
        code: "DEMO2A",
        name: "NHS Demo Vale ICB - DEMO2A",
        ons: "E38000993",
        pcns: [
          { code: "DEMPCN09", name: "DEMO VALE EAST PCN" },
          { code: "DEMPCN10", name: "DEMO VALE WEST PCN" },
        ],
      },
    ],
  },
];

export interface DemoPractice {
  code: string;
  name: string;
  address: [string, string, string, string, string];
  postcode: string;
  phone: string;
  status: "ACTIVE" | "INACTIVE" | "DORMANT";
  openDate: string;
  closeDate: string;
  icb: string;
  subIcb: string;
  pcn: string;
  contractType: "GMS" | "PMS" | "APMS";
  /** Registered patients in the first demo month; later months drift from it. */
  baseListSize: number;
}

const PLACES = [
  "Riverside", "Oakfield", "Market Street", "Kingsmere", "Ashford Vale", "Millbrook", "Harbourside", "Cathedral",
  "Northgate", "Southfields", "Westbury", "Eastfield", "Hillcrest", "Meadowbank", "Church Lane", "Station Road",
  "Park View", "Willow", "Beacon", "Castle", "Abbey", "Orchard", "Brookside", "Fairfield", "Greenway", "Highfield",
  "Lakeside", "Moorland", "Priory", "Queensway", "Rosehill", "St Anne's", "Thornbury", "Valley", "Woodlands",
  "Elmwood", "Foxhill", "Grange", "Heathside", "Ivy House", "Juniper", "Kestrel", "Larchwood", "Maple", "Newlands",
];
const KINDS = ["Surgery", "Medical Centre", "Health Centre", "Medical Practice", "Family Practice", "Group Practice"];
const TOWNS = ["DEMOTON", "KINGSMERE", "ASHFORD VALE", "MILLBROOK", "PORT DEMO", "HARBOURSIDE", "WEALDHAM", "MINSTER DEMO", "VALE EAST", "VALE WEST"];

/** The demo's practices: deterministic, about 13 per PCN, list sizes spread as in England (median about 9,500). */
export function demoPractices(): DemoPractice[] {
  const random = createRandom(20251001);
  const practices: DemoPractice[] = [];
  const usedNames = new Set<string>();
  let n = 0;
  for (const icb of DEMO_ICBS) {
    for (const sub of icb.subIcbs) {
      for (const [pcnIndex, pcn] of sub.pcns.entries()) {
        const count = icb.code === "DEMO1" ? 13 : 8;
        for (let i = 0; i < count; i++) {
          n++;
          const code = `DEM${String(n).padStart(3, "0")}`;
          let name = "";
          do {
            name = `${random.pick(PLACES)} ${random.pick(KINDS)}`.toUpperCase();
          } while (usedNames.has(name));
          usedNames.add(name);
          const town = TOWNS[(pcnIndex + (icb.code === "DEMO1" ? (sub.code === "DEMO1B" ? 4 : 0) : 8)) % TOWNS.length]!;
          const listSize = Math.round(Math.min(42000, Math.max(1400, Math.exp(random.normal(Math.log(9500), 0.5)))));
          // Two practices in the main ICB are not current: one closed (merged), one dormant.
          const status = code === "DEM013" ? "INACTIVE" : code === "DEM026" ? "DORMANT" : "ACTIVE";
          practices.push({
            code,
            name,
            address: [`${random.int(1, 180)} ${random.pick(["HIGH STREET", "CHURCH ROAD", "STATION ROAD", "MILL LANE", "THE GREEN", "PARK ROAD"])}`, "", "", town, ""],
            postcode: `DM${random.int(1, 19)} ${random.int(1, 9)}${String.fromCharCode(65 + random.int(0, 25))}${String.fromCharCode(65 + random.int(0, 25))}`,
            phone: `01632 960${String(n).padStart(3, "0")}`,
            status,
            openDate: `${random.int(1974, 2012)}0401`,
            closeDate: status === "INACTIVE" ? "20250331" : "",
            icb: icb.code,
            subIcb: sub.code,
            pcn: pcn.code,
            contractType: random.chance(0.7) ? "GMS" : random.chance(0.8) ? "PMS" : "APMS",
            baseListSize: listSize,
          });
        }
      }
    }
  }
  return practices;
}
