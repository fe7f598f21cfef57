/**
 * Name and address material for the fixture population generator. Invented combinations of common
 * names: any resemblance to a real person is chance. Some groups also carry names in their own
 * script, because VTJ holds names in any Unicode letters and every consumer must cope.
 */

export type Weighted<T> = readonly (readonly [T, number])[];
type Ground = 'international-protection' | 'temporary-protection' | 'family' | 'work' | 'study' | 'eu-registration' | 'other';

export interface NameSet {
  readonly male: readonly string[];
  readonly female: readonly string[];
  readonly last: readonly string[];
  /** Feminine forms of `last`, same order, where the language inflects surnames by gender. */
  readonly lastFemale?: readonly string[];
}

export interface Origin {
  readonly key: string;
  /** ISO 3166 alpha-3 codes; the first is the usual one, others appear for e.g. Kurdish speakers. */
  readonly nationalities: readonly string[];
  /** ISO 639-1 native languages, weighted. */
  readonly languages: Weighted<string>;
  readonly latin: NameSet;
  /** Names in the group's own script, and the share of persons who carry them. */
  readonly script?: NameSet & { readonly share: number };
  /** Given names are single words combined one or two at a time, unless `givenNamesWhole`. */
  readonly givenNamesWhole?: boolean;
  readonly grounds: Weighted<Ground>;
  readonly weight: number;
}

export const origins: readonly Origin[] = [
  {
    key: 'ukraine',
    nationalities: ['UKR'],
    languages: [['uk', 8], ['ru', 2]],
    latin: {
      male: ['Oleksandr', 'Dmytro', 'Andrii', 'Serhii', 'Mykola', 'Taras', 'Bohdan', 'Yurii', 'Volodymyr', 'Maksym'],
      female: ['Olena', 'Iryna', 'Kateryna', 'Nataliia', 'Oksana', 'Yuliia', 'Tetiana', 'Sofiia', 'Halyna', 'Anastasiia'],
      last: ['Shevchenko', 'Kovalenko', 'Bondarenko', 'Tkachenko', 'Kravchenko', 'Melnyk', 'Koval', 'Boiko', 'Oliinyk', 'Lysenko'],
    },
    script: {
      share: 0.3,
      male: ['Олександр', 'Дмитро', 'Андрій', 'Сергій', 'Тарас', 'Богдан', 'Юрій'],
      female: ['Олена', 'Ірина', 'Катерина', 'Оксана', 'Юлія', 'Тетяна', 'Софія'],
      last: ['Шевченко', 'Коваленко', 'Бондаренко', 'Ткаченко', 'Мельник', 'Бойко', 'Олійник'],
    },
    grounds: [['temporary-protection', 17], ['work', 2], ['family', 1]],
    weight: 18,
  },
  {
    key: 'syria',
    nationalities: ['SYR'],
    languages: [['ar', 9], ['ku', 1]],
    latin: {
      male: ['Ahmad', 'Mohammed', 'Omar', 'Khaled', 'Yusuf', 'Bashar', 'Rami', 'Samer', 'Tarek', 'Hamza'],
      female: ['Amina', 'Fatima', 'Rania', 'Lina', 'Hiba', 'Noor', 'Sara', 'Yasmin', 'Rasha', 'Dalia'],
      last: ['Haddad', 'Al-Hassan', 'Khalil', 'Darwish', 'Al-Ali', 'Suleiman', 'Ibrahim', 'Nasser', 'Al-Masri', 'Hamdan'],
    },
    script: {
      share: 0.2,
      male: ['أحمد', 'محمد', 'عمر', 'خالد', 'يوسف', 'سامر'],
      female: ['أمينة', 'فاطمة', 'رانيا', 'نور', 'سارة', 'لينا'],
      last: ['حداد', 'الحسن', 'خليل', 'درويش', 'سليمان', 'إبراهيم'],
    },
    grounds: [['international-protection', 14], ['family', 4], ['work', 2]],
    weight: 10,
  },
  {
    key: 'iraq',
    nationalities: ['IRQ'],
    languages: [['ar', 6], ['ku', 4]],
    latin: {
      male: ['Ali', 'Hussein', 'Mustafa', 'Karim', 'Haider', 'Abbas', 'Ammar', 'Zaid'],
      female: ['Zainab', 'Maryam', 'Huda', 'Shahad', 'Ruqaya', 'Asmaa', 'Israa', 'Ban'],
      last: ['Al-Jaburi', 'Abdullah', 'Hassan', 'Kadhim', 'Salih', 'Al-Obaidi', 'Jasim', 'Mahdi'],
    },
    grounds: [['international-protection', 12], ['family', 6], ['work', 2]],
    weight: 7,
  },
  {
    key: 'kurdish',
    nationalities: ['IRQ', 'SYR', 'TUR', 'IRN'],
    languages: [['ku', 1]],
    latin: {
      male: ['Rojhat', 'Dilshad', 'Azad', 'Baran', 'Serhat', 'Hejar', 'Rêbwar', 'Şivan'],
      female: ['Dilan', 'Hêvî', 'Rojda', 'Berfin', 'Nazdar', 'Rûken', 'Jiyan', 'Zozan'],
      last: ['Qadir', 'Rashid', 'Mahmud', 'Xelîl', 'Şêxo', 'Hesen', 'Kurdî', 'Omer'],
    },
    grounds: [['international-protection', 14], ['family', 5], ['other', 1]],
    weight: 6,
  },
  {
    key: 'afghanistan',
    nationalities: ['AFG'],
    languages: [['fa', 7], ['ps', 3]],
    latin: {
      male: ['Farid', 'Habib', 'Jawad', 'Sohrab', 'Wahid', 'Nasir', 'Mohammad', 'Ahmad'],
      female: ['Zahra', 'Mariam', 'Parwana', 'Soraya', 'Farzana', 'Nilofar', 'Shabnam', 'Fereshta'],
      last: ['Ahmadi', 'Rahimi', 'Hakimi', 'Karimi', 'Sultani', 'Noori', 'Hashimi', 'Mohammadi'],
    },
    script: {
      share: 0.15,
      male: ['فرید', 'حبیب', 'جواد', 'سهراب', 'ناصر'],
      female: ['زهرا', 'مریم', 'پروانه', 'ثریا', 'شبنم'],
      last: ['احمدی', 'رحیمی', 'کریمی', 'سلطانی', 'نوری'],
    },
    grounds: [['international-protection', 16], ['family', 4]],
    weight: 9,
  },
  {
    key: 'somalia',
    nationalities: ['SOM'],
    languages: [['so', 1]],
    latin: {
      male: ['Abdirahman', 'Abdullahi', 'Mohamed', 'Hassan', 'Abdi', 'Ahmed', 'Farah', 'Yusuf', 'Abdikarim'],
      female: ['Hodan', 'Fadumo', 'Sahra', 'Ayaan', 'Hibaq', 'Ifrah', 'Naima', 'Amran', 'Ubah'],
      last: ['Warsame', 'Mohamud', 'Ali', 'Osman', 'Hersi', 'Jama', 'Nur', 'Abdi', 'Egal', 'Farah'],
    },
    grounds: [['international-protection', 10], ['family', 9], ['work', 1]],
    weight: 8,
  },
  {
    key: 'russia',
    nationalities: ['RUS'],
    languages: [['ru', 1]],
    latin: {
      male: ['Aleksei', 'Dmitri', 'Sergei', 'Ivan', 'Nikolai', 'Pavel', 'Mikhail', 'Andrei'],
      female: ['Anna', 'Olga', 'Jekaterina', 'Natalia', 'Svetlana', 'Maria', 'Jelena', 'Irina'],
      last: ['Ivanov', 'Smirnov', 'Kuznetsov', 'Popov', 'Volkov', 'Sokolov', 'Lebedev', 'Morozov'],
      lastFemale: ['Ivanova', 'Smirnova', 'Kuznetsova', 'Popova', 'Volkova', 'Sokolova', 'Lebedeva', 'Morozova'],
    },
    script: {
      share: 0.3,
      male: ['Алексей', 'Дмитрий', 'Сергей', 'Иван', 'Николай'],
      female: ['Анна', 'Ольга', 'Наталья', 'Светлана', 'Мария'],
      last: ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Волков'],
      lastFemale: ['Иванова', 'Смирнова', 'Кузнецова', 'Попова', 'Волкова'],
    },
    grounds: [['family', 8], ['work', 6], ['study', 3], ['international-protection', 3]],
    weight: 7,
  },
  {
    key: 'vietnam',
    nationalities: ['VNM'],
    languages: [['vi', 1]],
    givenNamesWhole: true,
    latin: {
      male: ['Văn Minh', 'Đức Anh', 'Quốc Bảo', 'Thành Long', 'Hữu Phúc', 'Minh Tuấn'],
      female: ['Thị Hương', 'Thị Lan', 'Ngọc Anh', 'Thu Trang', 'Thị Mai', 'Khánh Linh'],
      last: ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi'],
    },
    grounds: [['work', 10], ['study', 6], ['family', 4]],
    weight: 5,
  },
  {
    key: 'eritrea',
    nationalities: ['ERI'],
    languages: [['ti', 1]],
    latin: {
      male: ['Yonas', 'Tesfay', 'Dawit', 'Mehari', 'Kidane', 'Berhane', 'Samuel', 'Filmon'],
      female: ['Selam', 'Helen', 'Senait', 'Rahel', 'Tsega', 'Mebrat', 'Saba', 'Luwam'],
      last: ['Tesfamariam', 'Ghebremedhin', 'Haile', 'Kidane', 'Berhe', 'Tekle', 'Gebreyesus', 'Woldu'],
    },
    script: {
      share: 0.15,
      male: ['ዮናስ', 'ዳዊት', 'ተስፋይ', 'መሓሪ'],
      female: ['ሰላም', 'ሳባ', 'ራሄል', 'ሉዋም'],
      last: ['ሃይለ', 'ተኽለ', 'ብርሃነ', 'ወልዱ'],
    },
    grounds: [['international-protection', 15], ['family', 5]],
    weight: 4,
  },
  {
    key: 'iran',
    nationalities: ['IRN'],
    languages: [['fa', 1]],
    latin: {
      male: ['Reza', 'Ali', 'Amir', 'Hossein', 'Mehdi', 'Babak', 'Arash', 'Kian'],
      female: ['Maryam', 'Shirin', 'Leila', 'Niloufar', 'Parisa', 'Sara', 'Mahsa', 'Roya'],
      last: ['Hosseini', 'Rezaei', 'Moradi', 'Jafari', 'Mousavi', 'Tehrani', 'Sadeghi', 'Karimi'],
    },
    grounds: [['international-protection', 6], ['work', 6], ['study', 6], ['family', 2]],
    weight: 4,
  },
  {
    key: 'turkey',
    nationalities: ['TUR'],
    languages: [['tr', 1]],
    latin: {
      male: ['Mehmet', 'Mustafa', 'Emre', 'Burak', 'Ömer', 'Can'],
      female: ['Ayşe', 'Fatma', 'Elif', 'Zeynep', 'Gülşen', 'Merve'],
      last: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Öztürk', 'Aydın', 'Doğan'],
    },
    grounds: [['work', 10], ['family', 6], ['international-protection', 4]],
    weight: 3,
  },
  {
    key: 'congo',
    nationalities: ['COD'],
    languages: [['ln', 5], ['fr', 3], ['sw', 2]],
    latin: {
      male: ['Jean-Pierre', 'Patrick', 'Christian', 'Emmanuel', 'Joseph', 'Dieudonné'],
      female: ['Grâce', 'Chantal', 'Esther', 'Nadège', 'Mireille', 'Espérance'],
      last: ['Mukendi', 'Kabongo', 'Ilunga', 'Tshibangu', 'Mbuyi', 'Kalala', 'Nzuzi'],
    },
    grounds: [['international-protection', 16], ['family', 4]],
    weight: 4,
  },
  {
    key: 'estonia',
    nationalities: ['EST'],
    languages: [['et', 8], ['ru', 2]],
    latin: {
      male: ['Andres', 'Tõnu', 'Märt', 'Kristjan', 'Rein', 'Jüri'],
      female: ['Kadri', 'Liis', 'Triin', 'Ülle', 'Kärt', 'Piret'],
      last: ['Tamm', 'Saar', 'Sepp', 'Mägi', 'Kask', 'Rebane', 'Ilves', 'Pärn'],
    },
    grounds: [['eu-registration', 1]],
    weight: 4,
  },
  {
    key: 'philippines',
    nationalities: ['PHL'],
    languages: [['tl', 1]],
    latin: {
      male: ['Jose', 'Mark', 'Rodel', 'Jericho', 'Ramon', 'Paolo'],
      female: ['Maria', 'Jocelyn', 'Cristina', 'Rowena', 'Maricel', 'Liza'],
      last: ['Santos', 'Reyes', 'Cruz', 'Bautista', 'dela Cruz', 'Garcia', 'Mendoza'],
    },
    grounds: [['work', 16], ['family', 4]],
    weight: 4,
  },
  {
    key: 'india',
    nationalities: ['IND'],
    languages: [['hi', 4], ['ml', 3], ['ta', 3]],
    latin: {
      male: ['Rahul', 'Arjun', 'Vikram', 'Suresh', 'Anand', 'Karthik'],
      female: ['Priya', 'Anjali', 'Deepa', 'Lakshmi', 'Divya', 'Meera'],
      last: ['Sharma', 'Nair', 'Menon', 'Iyer', 'Reddy', 'Patel', 'Krishnan'],
    },
    grounds: [['work', 12], ['study', 6], ['family', 2]],
    weight: 4,
  },
  {
    key: 'china',
    nationalities: ['CHN'],
    languages: [['zh', 1]],
    givenNamesWhole: true,
    latin: {
      male: ['Wei', 'Jun', 'Hao', 'Zhiwei', 'Yang'],
      female: ['Li Na', 'Xiuying', 'Jing', 'Mei', 'Yan'],
      last: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Zhao'],
    },
    script: {
      share: 0.2,
      male: ['伟', '军', '浩', '志伟'],
      female: ['丽娜', '秀英', '静', '梅'],
      last: ['王', '李', '张', '刘', '陈'],
    },
    grounds: [['study', 12], ['work', 6], ['family', 2]],
    weight: 3,
  },
];

export interface Streets {
  /** Finnish name, Swedish name where the municipality is bilingual, postal code. */
  readonly streets: readonly (readonly [string, string | null, string])[];
  readonly postOffice: readonly [string, string | null];
}

/** Streets of the municipalities the generator knows; others get a clearly synthetic address. */
export const municipalityStreets: Readonly<Record<string, Streets>> = {
  '905': {
    streets: [
      ['Kauppapuistikko', 'Handelsesplanaden', '65100'],
      ['Hovioikeudenpuistikko', 'Hovrättsesplanaden', '65100'],
      ['Vaasanpuistikko', 'Vasaesplanaden', '65100'],
      ['Rauhankatu', 'Fredsgatan', '65100'],
      ['Koulukatu', 'Skolhusgatan', '65100'],
      ['Pitkäkatu', 'Långgatan', '65100'],
      ['Korsholmanpuistikko', 'Korsholmsesplanaden', '65100'],
      ['Vöyrinkatu', 'Vörågatan', '65100'],
      ['Palosaarentie', 'Brändövägen', '65200'],
      ['Gerbyntie', 'Gerbyvägen', '65230'],
    ],
    postOffice: ['VAASA', 'VASA'],
  },
  '091': {
    streets: [
      ['Mannerheimintie', 'Mannerheimvägen', '00100'],
      ['Hämeentie', 'Tavastvägen', '00530'],
      ['Itäväylä', 'Österleden', '00900'],
      ['Kontulantie', 'Gårdsbackavägen', '00940'],
      ['Mellunmäentie', 'Mellungsbackavägen', '00970'],
      ['Vuosaarentie', 'Nordsjövägen', '00980'],
      ['Kannelmäentie', 'Gamlasvägen', '00420'],
      ['Malminkaari', 'Malmbågen', '00700'],
      ['Siilitie', 'Igelkottsvägen', '00800'],
      ['Myllypurontie', 'Kvarnbäcksvägen', '00920'],
    ],
    postOffice: ['HELSINKI', 'HELSINGFORS'],
  },
  '837': {
    streets: [
      ['Hämeenkatu', null, '33100'],
      ['Hervannan valtaväylä', null, '33720'],
      ['Insinöörinkatu', null, '33720'],
      ['Sammonkatu', null, '33540'],
      ['Tesomankatu', null, '33310'],
      ['Pispalan valtatie', null, '33250'],
      ['Kalevan puistotie', null, '33500'],
      ['Lentävänniemenkatu', null, '33410'],
    ],
    postOffice: ['TAMPERE', null],
  },
  '049': {
    streets: [
      ['Leppävaarankatu', 'Albergagatan', '02600'],
      ['Kauklahdenväylä', 'Köklaxleden', '02780'],
      ['Tapiontori', 'Tapiosplatsen', '02100'],
    ],
    postOffice: ['ESPOO', 'ESBO'],
  },
  '092': {
    streets: [
      ['Tikkurilantie', 'Dickursbyvägen', '01300'],
      ['Myyrmäentie', 'Myrbackavägen', '01600'],
      ['Hakunilantie', 'Håkansbölevägen', '01200'],
    ],
    postOffice: ['VANTAA', 'VANDA'],
  },
  '853': {
    streets: [
      ['Aurakatu', 'Auragatan', '20100'],
      ['Uudenmaankatu', 'Nylandsgatan', '20500'],
      ['Varissuontie', 'Kråkkärrsvägen', '20660'],
    ],
    postOffice: ['TURKU', 'ÅBO'],
  },
  '564': {
    streets: [
      ['Isokatu', null, '90100'],
      ['Kajaaninkatu', null, '90100'],
      ['Kaijonharjuntie', null, '90570'],
    ],
    postOffice: ['OULU', null],
  },
};

/** For a municipality the generator has no streets for: plain names, a synthetic postal code. */
export const genericStreets = (municipality: string): Streets => ({
  streets: [
    ['Koulukatu', null, '99999'],
    ['Kirkkokatu', null, '99999'],
    ['Rantatie', null, '99999'],
    ['Asemakatu', null, '99999'],
  ],
  postOffice: [`KUNTA ${municipality}`, null],
});
